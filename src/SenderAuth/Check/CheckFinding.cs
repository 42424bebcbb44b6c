using SenderAuth.Onboarding;

namespace SenderAuth.Check;

/// <summary>The areas a domain check covers, each with its own verdict.</summary>
public enum CheckArea
{
    /// <summary>The SPF record: present, one, including the provider, passing for its networks, within lookup limits.</summary>
    Spf,
    /// <summary>The DKIM selectors: delegated to the provider by CNAME and resolving to a key.</summary>
    Dkim,
    /// <summary>The DMARC record: present, enforcing, reporting to the provider where asked.</summary>
    Dmarc,
    /// <summary>The custom MAIL FROM (Return-Path) domain: its MX and SPF, for SPF alignment under DMARC.</summary>
    MailFrom,
    /// <summary>Whether receivers can trust the domain's answers: DNSSEC secure, insecure or bogus.</summary>
    Dnssec,
}

/// <summary>
/// One finding: a stable code, its severity, what was observed and what was expected, and one sentence telling the
/// institution what to change. <see cref="Temporary"/> marks "could not check" (DNS did not answer), never "missing".
/// </summary>
/// <param name="Area">Which part of the setup it concerns.</param>
/// <param name="Severity">Error: not ready to send; warning: fragile; info: worth knowing.</param>
/// <param name="Code">A stable kebab-case code (e.g. <c>spf-missing</c>), for JSON and for tests.</param>
/// <param name="Advice">One sentence telling the institution what to change.</param>
public sealed record CheckFinding(CheckArea Area, FindingSeverity Severity, string Code, string Advice)
{
    /// <summary>The DNS name the finding is about, e.g. <c>_dmarc.example.org</c>; null when it concerns the domain as a whole.</summary>
    public string? Name { get; init; }
    /// <summary>What DNS holds now, e.g. the record text; null when nothing was found.</summary>
    public string? Observed { get; init; }
    /// <summary>What it should hold, ready to paste when there is one right answer; null otherwise.</summary>
    public string? Expected { get; init; }
    /// <summary>True when DNS did not answer (timeout, SERVFAIL): "could not check", never "missing"; check again later.</summary>
    public bool Temporary { get; init; }
}

/// <summary>
/// The outcome of a domain check: findings per area, a verdict per area, and the records to publish for what the
/// check found wrong (as <see cref="PublishPlan"/> decides them).
/// </summary>
/// <param name="Domain">The checked domain, normalized.</param>
/// <param name="Code">The institution code the profile was expanded with.</param>
/// <param name="Findings">Every finding, in check order.</param>
/// <param name="Records">What to publish so that the check passes; empty when nothing is missing.</param>
public sealed record DomainCheckReport(string Domain, string Code, IReadOnlyList<CheckFinding> Findings, IReadOnlyList<RecordToPublish> Records)
{
    /// <summary>True when a finding is an error that DNS answered for: the domain is not ready to send.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error && !f.Temporary);

    /// <summary>True when some check could not run because DNS did not answer; the report is incomplete, not failing.</summary>
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
