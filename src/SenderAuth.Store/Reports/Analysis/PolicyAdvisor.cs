using System.Globalization;
using SenderAuth.Dmarc;
using SenderAuth.Spf;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>The next step for one record, with its evidence, or why it is not safe yet.</summary>
/// <param name="Next">The next policy (<c>p=quarantine; t=y</c>, <c>-all</c>), null at the goal.</param>
/// <param name="Record">The exact record to publish for the next step, at <see cref="RecordName"/>.</param>
public sealed record StepAdvice(AdviceArea Area, string Current, string? Next, bool Ready, string RecordName, string? Record,
    IReadOnlyList<string> Evidence, IReadOnlyList<string> Blockers);

/// <summary>How a third-party sender should be set up, and what its mail lacks today.</summary>
public sealed record ThirdPartyAdvice(string Name, SourceCategory Category, long Messages, IReadOnlyList<string> Sources, ThirdPartyIntegration Integration, string Why, IReadOnlyList<string> Lacks);

/// <summary>The record a <see cref="StepAdvice"/> is about; JSON writes <c>dmarc</c>, <c>spf</c>.</summary>
public enum AdviceArea
{
    /// <summary>The domain's DMARC record.</summary>
    Dmarc,
    /// <summary>The domain's SPF record.</summary>
    Spf,
}

/// <summary>How a third-party sender should be set up; JSON writes <c>own-subdomain</c>, <c>relay</c>, <c>own-domain-from</c>.</summary>
public enum ThirdPartyIntegration
{
    /// <summary>It signs with DKIM: a subdomain of its own, with its SPF and its key delegated.</summary>
    OwnSubdomain,
    /// <summary>It passes SPF but cannot sign: relay its mail through servers that sign.</summary>
    Relay,
    /// <summary>Nothing it sends authenticates: its own domain in From, the institution's in Reply-To.</summary>
    OwnDomainFrom,
}

public sealed record PolicyAdvice(string Domain, int DaysOfData, long LegitimateMessages, double? LegitimateAligned, StepAdvice Dmarc, StepAdvice Spf,
    IReadOnlyList<ThirdPartyAdvice> ThirdParties);

/// <summary>
/// The policy ladder of the registrar guide: start at p=none, read the reports, fix the forgotten senders, then
/// SPF ~all → -all and DMARC none → quarantine → reject (through t=y first when configured). A step is "ready"
/// only with enough days and messages, the legitimate volume (ours and declared senders) aligned above the
/// threshold, our own mail not failing and no unset-up sender left.
/// </summary>
public static class PolicyAdvisor
{
    public static PolicyAdvice Advise(string domain, IReadOnlyList<AttributedSource> sources, int daysOfData, IReadOnlyList<ReportFinding> findings,
        string? dmarcRecord, string? spfRecord, string startingDmarcRecord, IReadOnlyDictionary<string, int>? keyBits, AdvisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(options);
        var legit = sources.Where(s => s.Legitimate).ToList();
        var legitMessages = legit.Sum(s => s.Source.Messages);
        double? aligned = legitMessages == 0 ? null : (double)legit.Sum(s => s.Source.DmarcPass) / legitMessages;
        double? spfPass = legitMessages == 0 ? null : (double)legit.Sum(s => s.Source.SpfAuthPass) / legitMessages;

        var evidence = new List<string>
        {
            $"{daysOfData} day(s) of reports (at least {options.MinDays} needed)",
            $"{legitMessages:N0} legitimate messages (ours and declared senders; at least {options.MinMessages:N0} needed)",
            $"legitimate mail passing DMARC: {(aligned is { } a ? a.ToString("0.###%", CultureInfo.InvariantCulture) : "n/a")} (at least {options.MinAlignedShare.ToString("0.###%", CultureInfo.InvariantCulture)} needed)",
        };
        var common = new List<string>();
        if (daysOfData < options.MinDays) { common.Add($"only {daysOfData} day(s) of reports; wait until there are {options.MinDays}"); }
        if (legitMessages < options.MinMessages) { common.Add($"only {legitMessages:N0} legitimate messages reported; {options.MinMessages:N0} are needed before a share means anything"); }
        foreach (var f in findings.Where(f => f.Code is ReportFindingCodes.OwnMailFailing or ReportFindingCodes.NewSender or ReportFindingCodes.DeclaredSenderUnaligned))
        {
            common.Add($"{f.Title}: {f.Observed}");
        }

        var dmarcBlockers = new List<string>(common);
        if (aligned is { } share && share < options.MinAlignedShare)
        {
            dmarcBlockers.Add($"legitimate mail passing DMARC is {share.ToString("0.###%", CultureInfo.InvariantCulture)}, below {options.MinAlignedShare.ToString("0.###%", CultureInfo.InvariantCulture)}");
        }
        var dmarc = DmarcStep(domain, dmarcRecord ?? startingDmarcRecord, dmarcRecord is null, options, evidence, dmarcBlockers);

        var spfBlockers = new List<string>(common);
        if (spfPass is { } sp && sp < options.MinAlignedShare)
        {
            spfBlockers.Add($"SPF passes for {sp.ToString("0.###%", CultureInfo.InvariantCulture)} of the legitimate mail: a sender is missing from SPF");
        }
        var spf = SpfStep(domain, spfRecord, evidence.Take(2).Append($"legitimate mail passing SPF: {(spfPass is { } s2 ? s2.ToString("0.###%", CultureInfo.InvariantCulture) : "n/a")}").ToList(), spfBlockers);

        var third = sources.Where(s => s.Category is SourceCategory.Declared or SourceCategory.ThirdParty)
            .GroupBy(s => s.Name ?? s.Source.Ip)
            .Select(g => ThirdParty(g.Key, g.ToList(), keyBits))
            .OrderByDescending(t => t.Messages).ToList();
        return new PolicyAdvice(domain, daysOfData, legitMessages, aligned, dmarc, spf, third);
    }

    private static StepAdvice DmarcStep(string domain, string record, bool missing, AdvisorOptions options, List<string> evidence, List<string> blockers)
    {
        var name = "_dmarc." + domain;
        if (missing)
        {
            return new StepAdvice(AdviceArea.Dmarc, "none published", "p=none", true, name, record, ["no DMARC record: publish the starting record to receive reports"], []);
        }
        var tags = DmarcTags.Read(record);
        // The ladder reads the engine's parse (the policy as an enum, t=y or pct below 100 as testing); the record
        // written back keeps the domain's other tags as they are.
        var parsed = DmarcRecord.Parse(record);
        var p = parsed?.Policy ?? DmarcPolicy.None;
        var testing = parsed?.Testing ?? false;
        var current = "p=" + p.Token() + (testing ? "; t=y" : "");
        (DmarcPolicy P, bool T)? next = (p, testing) switch
        {
            (_, true) => (p, false),
            (DmarcPolicy.None, false) => (DmarcPolicy.Quarantine, options.UseTestingMode),
            (DmarcPolicy.Quarantine, false) => (DmarcPolicy.Reject, options.UseTestingMode),
            _ => null,
        };
        if (next is not { } n)
        {
            return new StepAdvice(AdviceArea.Dmarc, current, null, false, name, null, [.. evidence, "p=reject: the goal is reached"], []);
        }
        tags["p"] = n.P.Token();
        // RFC 9989 removed pct; t=y is its replacement.
        tags.Remove("pct");
        if (n.T) { tags["t"] = "y"; } else { tags.Remove("t"); }
        return new StepAdvice(AdviceArea.Dmarc, current, "p=" + n.P.Token() + (n.T ? "; t=y" : ""), blockers.Count == 0, name, DmarcTags.Write(tags), evidence, blockers);
    }

    private static StepAdvice SpfStep(string domain, string? record, List<string> evidence, List<string> blockers)
    {
        if (record is null)
        {
            return new StepAdvice(AdviceArea.Spf, "none published", null, false, domain, null, evidence, ["no SPF record: publish the one the domain check gives first"]);
        }
        if (SpfParser.Parse(record, out var error) is not { } parsed)
        {
            return new StepAdvice(AdviceArea.Spf, "invalid record", null, false, domain, null, evidence, [$"the SPF record is invalid {error}: fix it first"]);
        }
        var all = parsed.Mechanisms.FirstOrDefault(m => m.Kind == SpfMechanismKind.All);
        if (all is null && parsed.Redirect is { } redirect)
        {
            // The redirect's target decides for unlisted senders; an "all" added here would make receivers ignore
            // the redirect (RFC 7208 §6.1), so the step belongs in the target's record, not this one.
            return new StepAdvice(AdviceArea.Spf, redirect.Text, null, false, domain, null,
                [.. evidence, $"{redirect.Text}: the policy for unlisted senders is the one at {redirect.Value.Text}"],
                [$"the record ends with {redirect.Text}: tighten the \"all\" of the record at {redirect.Value.Text} (adding \"-all\" here would make receivers ignore the redirect)"]);
        }
        var current = all?.Text ?? "no all";
        if (all?.Qualifier == SpfQualifier.Fail)
        {
            return new StepAdvice(AdviceArea.Spf, current, null, false, domain, null, [.. evidence, "-all: the goal is reached"], []);
        }
        // Only the all term changes; every other term stays as written.
        var next = all is null ? record.TrimEnd() + " -all" : string.Concat(record.AsSpan(0, all.Position - 1), "-all", record.AsSpan(all.Position - 1 + all.Text.Length));
        if (all?.Qualifier == SpfQualifier.Pass)
        {
            // +all lets anyone pass: no evidence makes keeping it safe.
            return new StepAdvice(AdviceArea.Spf, current, "-all", true, domain, next, [.. evidence, "+all authorises every host on the Internet"], []);
        }
        return new StepAdvice(AdviceArea.Spf, current, "-all", blockers.Count == 0, domain, next, evidence, blockers);
    }

    private static ThirdPartyAdvice ThirdParty(string name, List<AttributedSource> group, IReadOnlyDictionary<string, int>? keyBits)
    {
        long messages = group.Sum(s => s.Source.Messages), dkimAligned = group.Sum(s => s.Source.DkimAligned), spfAligned = group.Sum(s => s.Source.SpfAligned);
        long dkimPass = group.Sum(s => s.Source.DkimAuthPass), spfPass = group.Sum(s => s.Source.SpfAuthPass);
        var dkimDomains = group.SelectMany(s => s.Source.DkimDomains).Distinct().ToList();
        var lacks = new List<string>();
        if (dkimAligned * 2 < messages) { lacks.Add("an aligned DKIM signature (d= the domain)"); }
        if (spfAligned * 2 < messages) { lacks.Add("an aligned MAIL FROM (a bounce address under the domain)"); }
        if (keyBits is not null)
        {
            foreach (var (key, bits) in keyBits.Where(k => k.Value < 1024 && dkimDomains.Any(d => k.Key.EndsWith("._domainkey." + d, StringComparison.Ordinal))))
            {
                lacks.Add($"a DKIM key of at least 1024 bits ({key} has {bits})");
            }
        }
        var (integration, why) = dkimPass * 2 > messages
            ? (ThirdPartyIntegration.OwnSubdomain, $"it signs with DKIM ({string.Join(", ", dkimDomains.Take(3))}): give it a subdomain of its own, with SPF for its servers and its DKIM key delegated by CNAME, and have it send From and MAIL FROM that subdomain")
            : spfPass * 2 > messages
                ? (ThirdPartyIntegration.Relay, "it passes SPF for its own bounce domain but cannot sign: relay its mail through the institution's servers (or ours), which sign it")
                : (ThirdPartyIntegration.OwnDomainFrom, "nothing it sends authenticates: let it send with its own domain in From and the institution's address in Reply-To");
        return new ThirdPartyAdvice(name, group[0].Category, messages, group.Select(s => s.Source.Ip).Take(20).ToList(), integration, why, lacks);
    }
}
