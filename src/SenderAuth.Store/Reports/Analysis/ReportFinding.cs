namespace SenderAuth.Store.Reports.Analysis;

/// <summary>
/// One thing the reports show, with a stable code: <c>own-mail-failing</c> (error: our signing or their DNS broke),
/// <c>retired-selector</c>, <c>reported-more-than-sent</c>, <c>new-sender</c> (legitimate-looking, not set up),
/// <c>declared-sender-unaligned</c>, <c>forwarding</c>, <c>spoofing</c>.
/// The engine's <see cref="Finding"/> (its message is the advice) with what only reports know: a title, what was
/// observed, the number of messages and the sources (IP addresses) concerned.
/// </summary>
public sealed record ReportFinding(string Code, FindingSeverity Severity, string Title, string Observed, string Message, long Messages, IReadOnlyList<string> Sources)
    : Finding(Severity, Code, Message);
