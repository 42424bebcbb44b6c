using System.Globalization;
using System.Text.Json;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// SPF and DMARC evaluation time against record size, 1 KiB to the 16 KiB limit of each (issue 19), parse included:
/// each size's time and its time per 1,000 characters, which stays flat when the work is linear. No peer. Unit: CPU ns per
/// evaluation (CPU time of the process: the machine's cores are shared). Fails when a shape's time per character at 16 KiB is over 3 times that at 1 KiB (quadratic work
/// would be 16 times).
/// </summary>
public sealed class LinearityRow : IRow
{
    // Per size and shape: a 0.5 s warm-up and a 0.5 s window; 20 points, about 20 s in all.
    private const string WindowSeconds = "0.5";

    public string Name => "row_linearity";

    public string Description => "SPF and DMARC evaluation CPU time vs record size up to the limits (ns/evaluation, no peer)";

    public IReadOnlyList<string> Packages => [];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        RowContext.Log("==> linearity: SPF and DMARC evaluation, records of 1 to 16 KiB, parse included");
        var output = await Tool.RunAsync(context.Bench, ["--linearity", "--seconds", WindowSeconds], ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(output.Stdout);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => (
            Shape: r.GetProperty("shape").GetString()!,
            Chars: r.GetProperty("chars").GetInt32(),
            Micro: r.GetProperty("microseconds").GetDouble(),
            PerK: r.GetProperty("microsecondsPerKChars").GetDouble(),
            Result: r.GetProperty("result").GetString()!)).ToList();
        foreach (var shape in rows.GroupBy(r => r.Shape))
        {
            foreach (var r in shape)
            {
                RowContext.Log($"{r.Shape,-20} {r.Chars,6} chars  {r.Micro,10:0.00} µs CPU  {r.PerK,8:0.000} µs per 1,000 chars  ({r.Result})");
                context.Report(new($"{r.Shape}, {r.Chars:N0}-char record ({r.Result}; CPU ns/eval, {r.PerK.ToString("0.000", CultureInfo.InvariantCulture)} µs per 1,000 chars)",
                    r.Micro * 1000, null));
            }
            var (first, last) = (shape.First(), shape.Last());
            if (last.PerK > 3 * first.PerK)
            {
                throw new RowFailedException($"{shape.Key}: {last.PerK:0.000} µs per 1,000 chars at {last.Chars} chars, over 3 times {first.PerK:0.000} at {first.Chars}: not linear");
            }
        }
    }
}
