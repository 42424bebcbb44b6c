using System.Net;

namespace SenderAuth.Reports;

/// <summary>
/// Totals of one report (or, from <see cref="Combine"/>, of several): messages by disposition, the DMARC pass rate,
/// and per source IP the messages and their aligned SPF and DKIM passes. Memory grows with distinct source IPs,
/// not with records.
/// </summary>
/// <param name="Source">The input the report came from; for a combined summary, null.</param>
/// <param name="Header">The report's header; for a combined summary, null.</param>
/// <param name="Reports">1 for a report, the number combined otherwise.</param>
/// <param name="Records">Rows read.</param>
/// <param name="Messages">Sum of the rows' counts.</param>
/// <param name="DmarcPass">Messages whose aligned SPF or aligned DKIM passed.</param>
/// <param name="Dispositions">Messages per applied disposition.</param>
/// <param name="Sources">Per source IP, most messages first.</param>
/// <param name="Warnings">What was recovered while reading (code, message, position), capped at MaxWarnings.</param>
public sealed record DmarcReportSummary(
    string? Source, DmarcReportHeader? Header, int Reports, long Records, long Messages, long DmarcPass,
    IReadOnlyDictionary<DmarcDisposition, long> Dispositions, IReadOnlyList<DmarcSourceSummary> Sources, IReadOnlyList<DmarcReportWarning> Warnings)
{
    /// <summary><see cref="DmarcPass"/> / <see cref="Messages"/>, 0 when there are no messages.</summary>
    public double PassRate => Messages == 0 ? 0 : (double)DmarcPass / Messages;

    /// <summary>Adds up several summaries (sources merged by IP).</summary>
    public static DmarcReportSummary Combine(IEnumerable<DmarcReportSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var builder = new DmarcReportSummaryBuilder();
        var reports = 0;
        foreach (var s in summaries)
        {
            reports += s.Reports;
            builder.Add(s);
        }
        return builder.Build(null, null, reports, []);
    }
}

/// <summary>One source IP within a summary.</summary>
/// <param name="SpfAligned">Messages whose <c>policy_evaluated/spf</c> was pass.</param>
/// <param name="DkimAligned">Messages whose <c>policy_evaluated/dkim</c> was pass.</param>
/// <param name="Ip">The sending IP address.</param>
/// <param name="Messages">Messages from it.</param>
/// <param name="DmarcPass">Messages from it that passed DMARC.</param>
public sealed record DmarcSourceSummary(IPAddress Ip, long Messages, long DmarcPass, long SpfAligned, long DkimAligned)
{
    /// <summary>DMARC passes per message from this source, 0 to 1; 0 when it sent none.</summary>
    public double PassRate => Messages == 0 ? 0 : (double)DmarcPass / Messages;
}

/// <summary>Accumulates records into a <see cref="DmarcReportSummary"/> without keeping them.</summary>
public sealed class DmarcReportSummaryBuilder
{
    private readonly Dictionary<IPAddress, long[]> _sources = [];
    private readonly long[] _dispositions = new long[Enum.GetValues<DmarcDisposition>().Length];
    private long _records;
    private long _messages;
    private long _pass;

    /// <summary>Counts one record's messages by source, disposition and alignment; the record is not kept.</summary>
    public void Add(DmarcReportRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records++;
        var pass = record.DmarcPass ? record.Count : 0;
        Add(record.SourceIp, record.Count, pass, record.Spf == DmarcAlignmentResult.Pass ? record.Count : 0,
            record.Dkim == DmarcAlignmentResult.Pass ? record.Count : 0);
        _dispositions[(int)record.Disposition] += record.Count;
    }

    internal void Add(DmarcReportSummary summary)
    {
        _records += summary.Records;
        foreach (var s in summary.Sources)
        {
            Add(s.Ip, s.Messages, s.DmarcPass, s.SpfAligned, s.DkimAligned);
        }
        foreach (var (d, n) in summary.Dispositions)
        {
            _dispositions[(int)d] += n;
        }
    }

    private void Add(IPAddress ip, long messages, long pass, long spf, long dkim)
    {
        _messages += messages;
        _pass += pass;
        if (!_sources.TryGetValue(ip, out var totals))
        {
            _sources[ip] = totals = new long[4];
        }
        totals[0] += messages;
        totals[1] += pass;
        totals[2] += spf;
        totals[3] += dkim;
    }

    /// <summary>The summary of a completed report.</summary>
    public DmarcReportSummary Build(DmarcReportReader report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Build(report.Source, report.Header, 1, report.Warnings);
    }

    internal DmarcReportSummary Build(string? source, DmarcReportHeader? header, int reports, IReadOnlyList<DmarcReportWarning> warnings)
    {
        var dispositions = new Dictionary<DmarcDisposition, long>();
        foreach (var d in Enum.GetValues<DmarcDisposition>())
        {
            if (_dispositions[(int)d] > 0 || d is DmarcDisposition.None or DmarcDisposition.Quarantine or DmarcDisposition.Reject)
            {
                dispositions[d] = _dispositions[(int)d];
            }
        }
        var sources = _sources
            .Select(kv => new DmarcSourceSummary(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3]))
            .OrderByDescending(s => s.Messages).ThenBy(s => s.Ip.ToString(), StringComparer.Ordinal)
            .ToList();
        return new DmarcReportSummary(source, header, reports, _records, _messages, _pass, dispositions, sources, [.. warnings]);
    }
}
