namespace SenderAuth;

/// <summary>
/// One finding, the same shape everywhere: SPF lint, DMARC lint, the domain check and DMARC report analysis. A stable
/// kebab-case <see cref="Code"/> (what scripts match on), its <see cref="Severity"/>, a sentence for people, and
/// where: the <see cref="Subject"/> it is about (a domain, a record name, a source) and the 1-based
/// <see cref="Position"/> of the term or tag in the record, when there is one.
/// </summary>
/// <remarks>Areas add what only they know by deriving (e.g. the report analysis' message count and sources).</remarks>
public record Finding(FindingSeverity Severity, string Code, string Message, string? Subject = null, int? Position = null);
