using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>
/// Plain single-threaded loops reporting evaluations per second as JSON, the same measure the peer scripts
/// print, so bench/run compares like for like in one run (BenchmarkDotNet gives per-call detail instead).
/// Usage: --throughput spf --seconds S --policy FILE | --write-policy FILE | --write-spf-batch DIR [--lines N]; DKIM modes: see <see cref="DkimThroughput"/>.
/// </summary>
public static class Throughput
{
    // Checking the clock every call would cost as much as a short evaluation; batches keep it negligible.
    private const int Batch = 256;

    public static async Task<int> MainAsync(string[] args)
    {
        var options = ParseOptions(args);
        var mode = options.GetValueOrDefault("--throughput", "spf");
        if (mode == "milter")
        {
            return await MilterThroughput.RunAsync(options).ConfigureAwait(false);
        }
        if (options.ContainsKey("--write-dkim-keys") || mode is "dkim-sign" or "dkim-verify" or "mimekit-sign" or "verify-full")
        {
            return await DkimThroughput.RunAsync(options).ConfigureAwait(false);
        }
        if (options.TryGetValue("--write-policy", out var output))
        {
            EspPolicy.Create().WriteJson(output);
            return 0;
        }
        if (options.TryGetValue("--write-spf-batch", out var batchDir))
        {
            // The policy (for pyspf), the same records as a zone file (for the CLI), and the input lines.
            var esp = EspPolicy.Create();
            esp.WriteJson(Path.Combine(batchDir, "policy.json"));
            esp.WriteZoneFile(Path.Combine(batchDir, "policy.zone"));
            esp.WriteBatchInput(Path.Combine(batchDir, "input.jsonl"), int.Parse(options.GetValueOrDefault("--lines", "10000"), System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }
        if (options.TryGetValue("--write-report", out var reportPath))
        {
            var mb = long.Parse(options.GetValueOrDefault("--mb", "100"));
            Console.WriteLine(ReportGenerator.Write(reportPath, mb * 1000 * 1000));
            return 0;
        }
        if (options.GetValueOrDefault("--throughput") == "report-parse")
        {
            return await ReportThroughputAsync(options).ConfigureAwait(false);
        }
        if (options.GetValueOrDefault("--throughput") != "spf" || !options.TryGetValue("--policy", out var file))
        {
            await Console.Error.WriteLineAsync("usage: --throughput spf --seconds S --policy FILE | --write-policy FILE\n"
                + "       --throughput report-parse --seconds S [--mb 100] | --write-report FILE --mb N").ConfigureAwait(false);
            return 2;
        }
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "5"));
        var policy = BenchPolicy.ReadJson(file);
        var evaluator = new SpfEvaluator(new ZoneDnsResolver(policy.ToZone()));
        await policy.VerifyAsync(evaluator).ConfigureAwait(false);
        var rates = new Dictionary<string, double>();
        foreach (var c in policy.Cases)
        {
            var ip = IPAddress.Parse(c.Ip);
            // Warm-up lets tiered JIT and PGO reach steady state before the timed window.
            await RunAsync(evaluator, policy, ip, Math.Min(1.0, seconds / 5)).ConfigureAwait(false);
            rates[c.Name] = await RunAsync(evaluator, policy, ip, seconds).ConfigureAwait(false);
        }
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["what"] = "spf",
            ["runtime"] = Environment.Version.ToString(),
            ["seconds_per_case"] = seconds,
            ["evals_per_s"] = rates,
        });
        Console.WriteLine(json);
        return 0;
    }

    /// <summary>
    /// Generates a report of --mb megabytes (10^6 bytes) in a temporary file, parses and summarizes it once to warm
    /// up, then as often as fits in --seconds; prints MB/s (10^6 bytes/s of XML), single thread.
    /// </summary>
    private static async Task<int> ReportThroughputAsync(Dictionary<string, string> options)
    {
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "5"));
        var mb = long.Parse(options.GetValueOrDefault("--mb", "100"));
        var path = Path.Combine(Path.GetTempPath(), $"sa-report-{Environment.ProcessId}.xml");
        try
        {
            var size = ReportGenerator.Write(path, mb * 1000 * 1000);
            var parser = new SenderAuth.Reports.DmarcReportParser();
            await parser.SummarizeFileAsync(path).ConfigureAwait(false);
            var runs = 0;
            var sw = Stopwatch.StartNew();
            do
            {
                await parser.SummarizeFileAsync(path).ConfigureAwait(false);
                runs++;
            }
            while (sw.Elapsed.TotalSeconds < seconds);
            var mbPerSecond = size * (double)runs / 1e6 / sw.Elapsed.TotalSeconds;
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["what"] = "report-parse",
                ["runtime"] = Environment.Version.ToString(),
                ["bytes"] = size,
                ["runs"] = runs,
                ["mb_per_s"] = Math.Round(mbPerSecond, 1),
            }));
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<double> RunAsync(SpfEvaluator evaluator, BenchPolicy policy, IPAddress ip, double seconds)
    {
        long evals = 0;
        var sw = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        while (sw.Elapsed < limit)
        {
            for (var i = 0; i < Batch; i++)
            {
                await evaluator.CheckHostAsync(ip, policy.Domain, policy.Sender, policy.Helo).ConfigureAwait(false);
            }
            evals += Batch;
        }
        return evals / sw.Elapsed.TotalSeconds;
    }

    internal static Dictionary<string, string> ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }
        return options;
    }
}
