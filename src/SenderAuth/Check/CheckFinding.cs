using SenderAuth.Onboarding;

namespace SenderAuth.Check;

/// <summary>The areas a domain check covers, each with its own verdict.</summary>
public enum CheckArea
{
    Spf,
    Dkim,
    Dmarc,
    MailFrom,
    Dnssec,
}

/// <summary>
/// One finding: a stable code, its severity, what was observed and what was expected, and one sentence telling the
/// institution what to change. <see cref="Temporary"/> marks "could not check" (DNS did not answer), never "missing".
/// </summary>
public sealed record CheckFinding(CheckArea Area, FindingSeverity Severity, string Code, string Advice)
{
    public string? Name { get; init; }
    public string? Observed { get; init; }
    public string? Expected { get; init; }
    public bool Temporary { get; init; }
}

/// <summary>
/// The outcome of a domain check: findings per area, a verdict per area, and the records to publish for what the
/// check found wrong (as <see cref="PublishPlan"/> decides them).
/// </summary>
public sealed record DomainCheckReport(string Domain, string Code, IReadOnlyList<CheckFinding> Findings, IReadOnlyList<RecordToPublish> Records)
{
    public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error && !f.Temporary);

    public bool DnsIncomplete => Findings.Any(f => f.Temporary);

    /// <summary>"ok", "warning", "error" or "unknown" (could not check) for an area.</summary>
    public string Verdict(CheckArea area)
    {
        var f = Findings.Where(x => x.Area == area).ToList();
        if (f.Any(x => x.Severity == FindingSeverity.Error && !x.Temporary))
        {
            return "error";
        }
        if (f.Any(x => x.Temporary))
        {
            return "unknown";
        }
        return f.Any(x => x.Severity == FindingSeverity.Warning) ? "warning" : "ok";
    }
}
