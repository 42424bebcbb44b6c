namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Message counts for a day, a bucket or a whole window; the rates are shares of <see cref="Messages"/>.</summary>
public sealed record ReportStats(long Messages, long DmarcPass, long DkimAligned, long SpfAligned, long DkimPass, long SpfPass,
    long DispositionNone, long DispositionQuarantine, long DispositionReject)
{
    public static readonly ReportStats Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public double? DmarcPassRate => Rate(DmarcPass);
    public double? DkimAlignedRate => Rate(DkimAligned);
    public double? SpfAlignedRate => Rate(SpfAligned);
    public double? DkimPassRate => Rate(DkimPass);
    public double? SpfPassRate => Rate(SpfPass);

    public ReportStats Add(ReportStats o) => new(Messages + o.Messages, DmarcPass + o.DmarcPass, DkimAligned + o.DkimAligned, SpfAligned + o.SpfAligned,
        DkimPass + o.DkimPass, SpfPass + o.SpfPass, DispositionNone + o.DispositionNone, DispositionQuarantine + o.DispositionQuarantine, DispositionReject + o.DispositionReject);

    private double? Rate(long part) => Messages == 0 ? null : Math.Round((double)part / Messages, 6);
}

public sealed record ReportBucket(string Label, DateTime Start, ReportStats Stats);

/// <summary>Something that happened to the domain, shown next to the pass rate.</summary>
public sealed record TimelineEvent(DateTime At, TimelineEventKind Kind, string What);

/// <summary>What kind of change a <see cref="TimelineEvent"/> is; JSON writes <c>dns</c>, <c>key</c>, <c>config</c>.</summary>
public enum TimelineEventKind
{
    /// <summary>A state change the domain's checks saw in DNS.</summary>
    Dns,
    /// <summary>A DKIM key published, switched to or revoked.</summary>
    Key,
    /// <summary>A configuration change in the audit log.</summary>
    Config,
}

public sealed record DomainSummary(string Domain, ReportPeriod Period, DateTime From, DateTime To, int DaysWithData, ReportStats Total,
    IReadOnlyList<ReportBucket> Buckets, IReadOnlyList<TimelineEvent> Events)
{
    /// <summary>The trend: the last bucket against the one before (messages as a ratio, pass rate in points); null with fewer than two.</summary>
    public object? Trend => Buckets.Count < 2 ? null : new
    {
        from = Buckets[^2].Label,
        to = Buckets[^1].Label,
        messages = Buckets[^2].Stats.Messages == 0 ? (double?)null : Math.Round((double)Buckets[^1].Stats.Messages / Buckets[^2].Stats.Messages - 1, 4),
        dmarcPassRate = Buckets[^1].Stats.DmarcPassRate - Buckets[^2].Stats.DmarcPassRate is { } d ? Math.Round(d, 6) : (double?)null,
    };
}
