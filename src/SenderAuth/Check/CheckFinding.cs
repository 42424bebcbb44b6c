namespace SenderAuth.Check;

/// <summary>
/// One finding of the domain check: the engine's <see cref="Finding"/> (its <see cref="Finding.Message"/> is the one
/// sentence of advice, its <see cref="Finding.Subject"/> the DNS name it concerns) with what only the check knows:
/// the <see cref="Area"/>, what was observed, what was expected, and whether DNS did not answer.
/// <see cref="Temporary"/> marks "could not check" (DNS did not answer), never "missing".
/// </summary>
/// <remarks>
/// In JSON it is written like every finding (<see cref="FindingContract"/>): <c>severity</c>, <c>code</c>,
/// <c>message</c>, <c>subject</c>, <c>position</c> (always null here), then <c>area</c>, <c>observed</c>,
/// <c>expected</c>, <c>temporary</c> (docs/check.md). Rows stored before this release wrote the subject as
/// <c>name</c> and the message as <c>advice</c>; the store reads those too (<c>StoredFindings</c>).
/// </remarks>
/// <param name="Area">Which part of the setup it concerns.</param>
/// <param name="Severity">Error: not ready to send; warning: fragile; info: worth knowing.</param>
/// <param name="Code">A stable kebab-case code (e.g. <c>spf-missing</c>), for JSON and for tests.</param>
/// <param name="Message">One sentence telling the institution what to change (<c>message</c> in JSON).</param>
public sealed record CheckFinding(CheckArea Area, FindingSeverity Severity, string Code, string Message)
    : Finding(Severity, Code, Message)
{
    /// <summary>What DNS holds now, e.g. the record text; null when nothing was found.</summary>
    public string? Observed { get; init; }
    /// <summary>What it should hold, ready to paste when there is one right answer; null otherwise.</summary>
    public string? Expected { get; init; }
    /// <summary>True when DNS did not answer (timeout, SERVFAIL): "could not check", never "missing"; check again later.</summary>
    public bool Temporary { get; init; }
}
