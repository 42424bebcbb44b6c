using System.Text.Json;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>DMARC aggregate report parse and summary of a generated 100 MB report; no peer parses reports here (n/a). Unit: MB/s.</summary>
public sealed class ReportsRow : IRow
{
    public string Name => "row_reports";

    public string Description => "DMARC aggregate report parse + summary, 100 MB XML (MB/s, no peer)";

    public IReadOnlyList<string> Packages => [];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var seconds = context.Options.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RowContext.Log($"==> report-parse: SenderAuth {seconds}s on a generated 100 MB report");
        var output = await Tool.RunAsync(context.Bench, ["--throughput", "report-parse", "--seconds", seconds, "--mb", "100"], ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(output.Stdout);
        context.Report(new("DMARC aggregate report parse + summary, 100 MB XML (MB/s, not evals/s)",
            doc.RootElement.GetProperty("mb_per_s").GetDouble(), null, ">=100"));
    }
}
