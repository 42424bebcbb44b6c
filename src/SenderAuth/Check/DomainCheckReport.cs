using SenderAuth.Onboarding;

namespace SenderAuth.Check;

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

    /// <summary>The verdict of an area (<see cref="VerdictOf"/> of its findings).</summary>
    public AreaVerdict Verdict(CheckArea area) => VerdictOf(Findings.Where(x => x.Area == area));

    /// <summary>
    /// The verdict of some findings (an area's, or those about one record): an answered error wins, then "could not
    /// check", then a warning; none of these is <see cref="AreaVerdict.Ok"/>. The one rule the CLI, the server and the
    /// dashboard read.
    /// </summary>
    public static AreaVerdict VerdictOf(IEnumerable<CheckFinding> findings)
    {
        var f = findings.ToList();
        if (f.Any(x => x.Severity == FindingSeverity.Error && !x.Temporary))
        {
            return AreaVerdict.Error;
        }
        if (f.Any(x => x.Temporary))
        {
            return AreaVerdict.Unknown;
        }
        return f.Any(x => x.Severity == FindingSeverity.Warning) ? AreaVerdict.Warning : AreaVerdict.Ok;
    }
}
