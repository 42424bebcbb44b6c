namespace SenderAuth.Store.Reports.Analysis;

/// <summary>What a finding needs of one stored failure report.</summary>
public sealed record FailureReportFact(string? SourceIp, string? DkimDomain, string? DkimSelector, string? Reporter, string? AuthFailure);

/// <summary>
/// Failure reports as findings. One about mail from our own sending networks, or signed with one of the
/// institution's selectors for the domain, is <c>failure-report-own-mail</c> (error): a message we sent failed
/// authentication, which no aggregate threshold should have to reveal first. The rest are
/// <c>failure-reports</c> (info): someone else's mail using the domain (spoofing, a forwarder, an unset-up sender).
/// </summary>
public static class FailureReportFindings
{
    public static IReadOnlyList<ReportFinding> Build(string domain, IReadOnlyList<FailureReportFact> reports, SourceAttribution platform, IReadOnlyCollection<string> ourSelectors)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(ourSelectors);
        var selectors = ourSelectors.ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool OurSelector(FailureReportFact r) => r.DkimSelector is { } s && selectors.Contains(s)
            && (r.DkimDomain is null || r.DkimDomain == domain || r.DkimDomain.EndsWith("." + domain, StringComparison.Ordinal));
        var ours = reports.Where(r => (r.SourceIp is { } ip && platform.IsPlatform(ip)) || OurSelector(r)).ToList();
        var others = reports.Except(ours).ToList();
        var findings = new List<ReportFinding>();
        if (ours.Count > 0)
        {
            var why = string.Join(" and ", new[]
            {
                ours.Any(r => r.SourceIp is { } ip && platform.IsPlatform(ip)) ? "from our sending networks" : null,
                ours.Any(OurSelector) ? $"signed with our selector {string.Join(", ", ours.Where(OurSelector).Select(r => r.DkimSelector!).Distinct().Take(5))}" : null,
            }.Where(x => x is not null));
            findings.Add(new("failure-report-own-mail", FindingSeverity.Error, "A failure report names mail we sent",
                $"{ours.Count:N0} failure report(s) about messages {why} failed authentication ({Failures(ours)}); reported by {Reporters(ours)}",
                "Our signing or the domain's DKIM delegation or SPF broke for these messages: run the domain check now and read the reported headers (Authentication-Results) for the reason.",
                ours.Count, Ips(ours)));
        }
        if (others.Count > 0)
        {
            findings.Add(new("failure-reports", FindingSeverity.Info, "Failure reports about mail from other sources",
                $"{others.Count:N0} failure report(s) about messages from {others.Select(r => r.SourceIp).Where(i => i is not null).Distinct().Count()} source(s) that are not ours ({Failures(others)}); reported by {Reporters(others)}",
                "Mail that uses the domain without authenticating: spoofing, a forwarder or a sender that is not set up. Compare the sources with the aggregate reports' third-party senders.",
                others.Count, Ips(others)));
        }
        return findings;
    }

    private static string Failures(IEnumerable<FailureReportFact> rows) =>
        string.Join(", ", rows.GroupBy(r => r.AuthFailure ?? "unstated").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));

    private static string Reporters(IEnumerable<FailureReportFact> rows) =>
        string.Join(", ", rows.Select(r => r.Reporter ?? "unknown").Distinct().Take(5));

    private static List<string> Ips(IEnumerable<FailureReportFact> rows) =>
        rows.Select(r => r.SourceIp).OfType<string>().Distinct().Take(20).ToList();
}
