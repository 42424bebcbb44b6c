using SenderAuth.Reports;

namespace SenderAuth.Fuzz;

/// <summary>DMARC aggregate reports: xml, gz, zip or eml, sniffed from the first bytes as for any uploaded file.</summary>
internal static class ReportTargets
{
    /// <summary>
    /// <see cref="DmarcReportParser.SummarizeAsync"/> with the default limits: every unreadable or refused input is a
    /// <see cref="DmarcReportException"/> (the CLI's and the importer's contract). The bound allows for decompression:
    /// 1 MiB is free of the ratio limit, after that up to 100 bytes per input byte, each read once.
    /// </summary>
    public static FuzzTarget Report { get; } = new("report", input =>
    {
        using var stream = new MemoryStream(input, writable: false);
        _ = new DmarcReportParser().SummarizeAsync(stream, "fuzz").GetAwaiter().GetResult();
    }, [typeof(DmarcReportException)],
        new FuzzBudget(64 * 1024, 64L << 20, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3)));
}
