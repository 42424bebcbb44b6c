using System.Text.Json;

namespace SenderAuth.Bench.Harness;

/// <summary>Runs throughput programs and keeps their best window.</summary>
public static class ThroughputRuns
{
    /// <summary>One run of a throughput program; its JSON rates.</summary>
    public static async Task<Rates> OnceAsync(string file, IEnumerable<string> args, CancellationToken ct) =>
        Rates.Parse((await Tool.RunAsync(file, args, ct).ConfigureAwait(false)).Stdout);

    /// <summary>
    /// Runs a throughput program <see cref="HarnessOptions.Rounds"/> times and keeps the best rate of each case.
    /// This VM's neighbours steal CPU in bursts (the same loop moves 20-50% between windows); every contender in a
    /// row gets the same treatment, so the best window compares like with like.
    /// </summary>
    public static async Task<Rates> BestOfAsync(RowContext context, string file, IReadOnlyList<string> args, CancellationToken ct)
    {
        var best = new Dictionary<string, double>();
        var bestCpu = new Dictionary<string, double>();
        for (var i = 0; i < context.Options.Rounds; i++)
        {
            var json = (await Tool.RunAsync(file, args, ct).ConfigureAwait(false)).Stdout;
            var rates = Rates.Parse(json);
            Keep(best, rates.PerSecond);
            Keep(bestCpu, rates.PerCpuSecond);
            LogDetails(json);
        }
        return new Rates(best, bestCpu);
    }

    private static void Keep(Dictionary<string, double> best, IReadOnlyDictionary<string, double> rates)
    {
        foreach (var (k, v) in rates)
        {
            best[k] = Math.Max(best.GetValueOrDefault(k), v);
        }
    }

    // What our loops report besides the rate (warm-up until the JIT settled, bytes allocated per call), for the log.
    private static void LogDetails(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("details", out var details))
        {
            return;
        }
        var what = doc.RootElement.GetProperty("what").GetString();
        foreach (var d in details.EnumerateObject())
        {
            var v = d.Value;
            double F(string name) => v.GetProperty(name).GetDouble();
            RowContext.Log($"    {what} {d.Name}: {F("calls") / F("seconds"):0}/s after a {F("warmup_s")} s warm-up,"
                + $" {F("calls") / F("cpu_seconds"):0}/s per CPU second, {F("bytes_per_call"):0} B/call");
        }
    }
}
