using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>
/// Plain single-threaded loops reporting evaluations per second as JSON, the same measure the peer scripts
/// print, so bench/run compares like for like in one run (BenchmarkDotNet gives per-call detail instead).
/// Usage: --throughput spf --seconds S --policy FILE | --write-policy FILE; DKIM modes: see <see cref="DkimThroughput"/>.
/// </summary>
public static class Throughput
{
    // Checking the clock every call would cost as much as a short evaluation; batches keep it negligible.
    private const int Batch = 256;

    public static async Task<int> MainAsync(string[] args)
    {
        var options = ParseOptions(args);
        if (options.ContainsKey("--write-dkim-keys") || options.GetValueOrDefault("--throughput", "spf") != "spf")
        {
            return await DkimThroughput.RunAsync(options).ConfigureAwait(false);
        }
        if (options.TryGetValue("--write-policy", out var output))
        {
            EspPolicy.Create().WriteJson(output);
            return 0;
        }
        if (options.GetValueOrDefault("--throughput") != "spf" || !options.TryGetValue("--policy", out var file))
        {
            await Console.Error.WriteLineAsync("usage: --throughput spf --seconds S --policy FILE | --write-policy FILE").ConfigureAwait(false);
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

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }
        return options;
    }
}
