namespace SenderAuth.Server.Reports;

// What the report-analysis endpoints answer, named so the OpenAPI document describes each body. Property order is
// the order the JSON is written in (and was written in before these had names).

/// <summary>GET …/reports/sources: one page of attributed sources and the message count of every category.</summary>
public sealed record ReportSourcesResponse(DateTime From, DateTime To, int Total, int Page, int PageSize, Dictionary<SourceCategory, long> Categories,
    IReadOnlyList<AttributedSourceDto> Items);

/// <summary>One source IP over the window, with who it is (<see cref="Category"/>: platform, declared, forwarder, third-party, unknown).</summary>
public sealed record AttributedSourceDto(string Ip, SourceCategory Category, string? Name, string? ReverseName, long Messages, long DmarcPass, double PassRate,
    long DkimAligned, long SpfAligned, long DkimPass, long SpfPass, long Forwarded, DateTime FirstDay, DateTime LastDay,
    IReadOnlyList<string> Reporters, IReadOnlyList<string> DkimDomains, IReadOnlyList<string> SpfDomains)
{
    public static AttributedSourceDto From(AttributedSource s) => new(s.Source.Ip, s.Category, s.Name, s.ReverseName, s.Source.Messages, s.Source.DmarcPass,
        Math.Round(s.PassRate, 6), s.Source.DkimAligned, s.Source.SpfAligned, s.Source.DkimAuthPass, s.Source.SpfAuthPass, s.Source.Forwarded,
        s.Source.FirstDay, s.Source.LastDay, s.Source.Reporters, s.Source.DkimDomains, s.Source.SpfDomains);
}

/// <summary>GET …/reports/findings: what the reports show over the window.</summary>
public sealed record ReportFindingsResponse(DateTime From, DateTime To, IReadOnlyList<ReportFinding> Findings);

/// <summary>GET …/reports/reconciliation: report volume from our networks against the messages we signed.</summary>
public sealed record ReconciliationResponse(DateTime From, DateTime To, long Signed, long ReportedFromPlatform, IReadOnlyList<ReporterCoverage> Reporters,
    IReadOnlyList<ExcessDay> Excess, IReadOnlyList<RetiredSelectorUse> RetiredSelectors);

/// <summary>GET …/reports/timeline: key rotations, DNS changes and configuration changes over the window.</summary>
public sealed record ReportTimelineResponse(DateTime From, DateTime To, IReadOnlyList<TimelineEvent> Events);
