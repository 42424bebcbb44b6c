using System.Globalization;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Messages in reports signed with one of our selectors on a day its key was not the signing key.</summary>
public sealed record RetiredSelectorUse(string Selector, DateTime Day, long Messages);

/// <summary>Turns attributed sources, reconciliation and selector use into findings, most severe first.</summary>
public static class ReportFindings
{
    /// <summary>Below this many failing messages a share means nothing (one bounced test mail).</summary>
    private const long MinFailing = 10;

    public static IReadOnlyList<ReportFinding> Build(IReadOnlyList<AttributedSource> sources, ReconciliationResult reconciliation,
        IReadOnlyList<RetiredSelectorUse> retired, AdvisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(reconciliation);
        ArgumentNullException.ThrowIfNull(retired);
        ArgumentNullException.ThrowIfNull(options);
        var findings = new List<ReportFinding>();
        var total = sources.Sum(s => s.Source.Messages);

        var ours = sources.Where(s => s.Category == SourceCategory.Platform).ToList();
        var ourMessages = ours.Sum(s => s.Source.Messages);
        var ourFailing = ours.Sum(s => s.Source.Messages - s.Source.DmarcPass);
        if (ourFailing >= MinFailing && ourFailing > ourMessages * (1 - options.MinAlignedShare))
        {
            var worst = ours.Where(s => s.Source.Messages > s.Source.DmarcPass).OrderByDescending(s => s.Source.Messages - s.Source.DmarcPass).ToList();
            findings.Add(new(ReportFindingCodes.OwnMailFailing, FindingSeverity.Error, "Mail sent by the platform fails DMARC",
                $"{ourFailing:N0} of {ourMessages:N0} messages from our sending networks failed DMARC ({Pct(ourFailing, ourMessages)}); reported by {string.Join(", ", worst.SelectMany(s => s.Source.Reporters).Distinct().Take(5))}",
                "Our signing or the domain's DKIM delegation broke: run the domain check now and compare the selectors in these rows with the ones we sign with.",
                ourFailing, worst.Select(s => s.Source.Ip).Take(20).ToList()));
        }
        foreach (var g in retired.GroupBy(r => r.Selector))
        {
            findings.Add(new("retired-selector", FindingSeverity.Warning, $"Mail signed with selector {g.Key} after its key was retired",
                $"{g.Sum(r => r.Messages):N0} messages on {g.Count()} day(s), last {g.Max(r => r.Day):yyyy-MM-dd}, carry s={g.Key} while another key was signing",
                "Something still signs with the old key (a second sending path, or a stale copy of the key): find it before the key is revoked, or that mail will fail.",
                g.Sum(r => r.Messages), []));
        }
        if (reconciliation.Excess.Count > 0)
        {
            var e = reconciliation.Excess;
            findings.Add(new("reported-more-than-sent", FindingSeverity.Warning, "Reporters count more mail from our networks than we signed",
                $"on {e.Select(x => x.Day).Distinct().Count()} day(s) (first {e[0].Day:yyyy-MM-dd}: {e[0].Reporter} reported {e[0].Reported:N0}, we signed {e[0].Signed:N0})",
                "Mail for this domain leaves our shared IPs without our signature (another customer spoofing it) or a report is forged: compare with the MTA logs of those days.",
                e.Sum(x => x.Reported - x.Signed), []));
        }
        var threshold = Math.Max(1, (long)(total * options.UnknownSenderShare));
        foreach (var s in sources.Where(s => s.Category == SourceCategory.ThirdParty && s.Source.Messages >= threshold).OrderByDescending(s => s.Source.Messages))
        {
            findings.Add(new(ReportFindingCodes.NewSender, FindingSeverity.Warning, $"A sender that is not set up: {s.Name ?? s.Source.Ip}",
                $"{s.Source.Messages:N0} messages from {s.Source.Ip}{(s.ReverseName is null ? "" : $" ({s.ReverseName})")} since {s.Source.FirstDay:yyyy-MM-dd} authenticate as {Identity(s)} but not as the domain (DMARC pass {Pct(s.Source.DmarcPass, s.Source.Messages)})",
                "If the institution uses this service, declare it as a known sender and set it up (see the advice); if not, it is spoofing.",
                s.Source.Messages, [s.Source.Ip]));
        }
        foreach (var g in sources.Where(s => s.Category == SourceCategory.Declared && s.Source.Messages > s.Source.DmarcPass).GroupBy(s => s.Name))
        {
            var failing = g.Sum(s => s.Source.Messages - s.Source.DmarcPass);
            if (failing < MinFailing)
            {
                continue;
            }
            findings.Add(new(ReportFindingCodes.DeclaredSenderUnaligned, FindingSeverity.Warning, $"{g.Key} sends for the domain without aligning",
                $"{failing:N0} of {g.Sum(s => s.Source.Messages):N0} messages failed DMARC",
                "Set this sender up with the domain (see the advice for it) before tightening the policy.", failing, g.Select(s => s.Source.Ip).Take(20).ToList()));
        }
        var forwarders = sources.Where(s => s.Category == SourceCategory.Forwarder).ToList();
        if (forwarders.Count > 0)
        {
            var fwd = forwarders.Sum(s => s.Source.Messages);
            findings.Add(new("forwarding", FindingSeverity.Info, "Forwarding breaks SPF, DKIM survives",
                $"{fwd:N0} messages through {forwarders.Count} forwarder(s) or list(s); aligned DKIM passed for {Pct(forwarders.Sum(s => s.Source.DkimAligned), fwd)}",
                "Nothing to change: this is why every message must carry an aligned DKIM signature. Do not add forwarders to SPF.",
                fwd, forwarders.Select(s => s.Source.Ip).Take(20).ToList()));
        }
        var spoof = sources.Where(s => s.Category == SourceCategory.Unknown).ToList();
        var spoofed = spoof.Sum(s => s.Source.Messages);
        if (spoofed >= threshold && spoofed > 0)
        {
            findings.Add(new("spoofing", FindingSeverity.Warning, "Someone sends as the domain without authenticating",
                $"{spoofed:N0} messages from {spoof.Count} source(s) passed neither SPF nor DKIM, from {string.Join(", ", spoof.Select(s => s.Source.Ip).Take(5))}{(spoof.Count > 5 ? "…" : "")}",
                "Once the legitimate mail aligns, move the DMARC policy to quarantine, then reject (see the advice).",
                spoofed, spoof.OrderByDescending(s => s.Source.Messages).Select(s => s.Source.Ip).Take(20).ToList()));
        }
        return findings.OrderByDescending(f => f.Severity).ThenByDescending(f => f.Messages).ToList();
    }

    private static string Identity(AttributedSource s) =>
        string.Join(" and ", new[] { s.Source.DkimAuthPass > 0 && s.Source.DkimDomains.Count > 0 ? $"DKIM d={s.Source.DkimDomains[0]}" : null,
            s.Source.SpfAuthPass > 0 && s.Source.SpfDomains.Count > 0 ? $"SPF {s.Source.SpfDomains[0]}" : null }.Where(x => x is not null));

    internal static string Pct(long part, long whole) =>
        whole == 0 ? "n/a" : ((double)part / whole).ToString("0.##%", CultureInfo.InvariantCulture);
}
