namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Messages reported from our networks by one reporter on one day.</summary>
public sealed record ReportedDay(string Reporter, DateTime Day, long Messages);

/// <summary>Per reporter: what it saw of our mail against what we signed on the days it reported.</summary>
public sealed record ReporterCoverage(string Reporter, int Days, long Reported, long Signed, double? Coverage);

/// <summary>A day on which a reporter claims more mail from our networks than we signed for the domain at all.</summary>
public sealed record ExcessDay(string Reporter, DateTime Day, long Reported, long Signed);

public sealed record ReconciliationResult(long Signed, long ReportedFromPlatform, IReadOnlyList<ReporterCoverage> Reporters, IReadOnlyList<ExcessDay> Excess);

/// <summary>Messages we signed with one selector on one day.</summary>
public sealed record SelectorDay(string Selector, DateTime Day, long Messages);

/// <summary>
/// Compares report volumes for our own sources with the messages the server signed. Reporters see only their
/// share of the mail, so coverage below 100% is normal; a reporter claiming more than we signed that day means
/// mail from our IPs we did not sign (spoofing through a shared IP) or a forged report.
/// </summary>
public static class Reconciliation
{
    public static ReconciliationResult Compute(IReadOnlyList<ReportedDay> reported, IReadOnlyList<SelectorDay> signed, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(reported);
        ArgumentNullException.ThrowIfNull(signed);
        var signedByDay = signed.GroupBy(s => s.Day).ToDictionary(g => g.Key, g => g.Sum(s => s.Messages));
        var reporters = reported.GroupBy(r => r.Reporter, StringComparer.Ordinal).Select(g =>
        {
            var sent = g.Select(r => r.Day).Distinct().Sum(d => signedByDay.GetValueOrDefault(d));
            var seen = g.Sum(r => r.Messages);
            return new ReporterCoverage(g.Key, g.Select(r => r.Day).Distinct().Count(), seen, sent, sent == 0 ? null : (double)seen / sent);
        }).OrderByDescending(r => r.Reported).ToList();
        // Nothing signed in the whole window: the domain's mail was not signed here (signing not enabled yet,
        // or the window predates it), so there is nothing to reconcile against.
        if (signed.Count == 0)
        {
            return new ReconciliationResult(0, reported.Sum(r => r.Messages), reporters, []);
        }
        // A small absolute slack: reports and our counters cut days at slightly different moments.
        var excess = reported.GroupBy(r => (r.Reporter, r.Day))
            .Select(g => new ExcessDay(g.Key.Reporter, g.Key.Day, g.Sum(r => r.Messages), signedByDay.GetValueOrDefault(g.Key.Day)))
            .Where(e => e.Reported > (e.Signed * (1 + tolerance)) + 10)
            .OrderBy(e => e.Day).ThenBy(e => e.Reporter, StringComparer.Ordinal).ToList();
        return new ReconciliationResult(signed.Sum(s => s.Messages), reported.Sum(r => r.Messages), reporters, excess);
    }
}
