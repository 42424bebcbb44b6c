using System.Text.Json;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// The SPF, DMARC and DKIM key parse caches fed 40,000 distinct large records each (nine in ten of 4,000 characters,
/// the largest kept; one in ten of 60,000, never kept), as a wildcard-answering DNS server makes them: the managed
/// heap they hold after a full collection, against their byte budget (issue 19: a count bound alone let 10,000
/// records of 60 KB pin 1.1 to 4.6 GiB). No peer. Unit: MiB held.
/// </summary>
public sealed class CacheMemoryRow : IRow
{
    public string Name => "row_cache_memory";

    public string Description => "parse caches under a stream of distinct large records (MiB held vs records fed, no peer)";

    public IReadOnlyList<string> Packages => [];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        RowContext.Log("==> cache memory: 40,000 distinct large SPF, DMARC and DKIM key records");
        var output = await Tool.RunAsync(context.Bench, ["--cache-memory", "--records", "40000"], ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(output.Stdout);
        const double MiB = 1024 * 1024;
        foreach (var r in doc.RootElement.GetProperty("rows").EnumerateArray())
        {
            var records = r.GetProperty("records").GetInt32();
            var heap = r.GetProperty("heapBytes").GetInt64() / MiB;
            var estimate = r.GetProperty("estimatedBytes").GetInt64() / MiB;
            var budget = r.GetProperty("budgetBytes").GetInt64() / MiB;
            var entries = r.GetProperty("entries").GetInt32();
            RowContext.Log($"{records,6} records fed of each kind: heap {heap,7:0.0} MiB, estimate {estimate,6:0.0} MiB, budget {budget:0} MiB, {entries} entries");
            context.Report(new($"parse caches after {records:N0} distinct large records of each kind (MiB heap held; estimate {estimate:0.0}, {entries:N0} entries)",
                heap, null, $"<={budget:0}"));
        }
    }
}
