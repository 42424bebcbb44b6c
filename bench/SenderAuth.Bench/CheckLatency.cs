using System.Diagnostics;
using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dns;

namespace SenderAuth.Bench;

/// <summary>
/// Wall time of full domain checks (SPF, DKIM delegation, DMARC, MAIL FROM) against a DNS server, one after
/// another: every check starts with an empty cache, so each one pays all its queries. Prints p50/p95/mean in ms.
/// Usage: --check-latency --resolver HOST:PORT --profile FILE --domain D --code C [--iterations N]
/// </summary>
public static class CheckLatency
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--resolver", out var server) || !options.TryGetValue("--profile", out var profileFile)
            || !options.TryGetValue("--domain", out var domain))
        {
            await Console.Error.WriteLineAsync("usage: --check-latency --resolver HOST:PORT --profile FILE --domain D --code C [--iterations N]").ConfigureAwait(false);
            return 2;
        }
        var code = options.GetValueOrDefault("--code", string.Empty);
        var iterations = int.Parse(options.GetValueOrDefault("--iterations", "200"), System.Globalization.CultureInfo.InvariantCulture);
        var profile = ProviderProfile.Load(profileFile);
        var resolver = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)] });
        var checker = new DomainChecker(resolver);
        // The answer must be a real check, not a DNS failure measured fast.
        var first = await checker.CheckAsync(domain, profile, code).ConfigureAwait(false);
        if (first.DnsIncomplete)
        {
            await Console.Error.WriteLineAsync($"check-latency: DNS did not answer for {domain}").ConfigureAwait(false);
            return 3;
        }
        for (var i = 0; i < Math.Min(20, iterations); i++)
        {
            await checker.CheckAsync(domain, profile, code).ConfigureAwait(false);
        }
        var ms = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await checker.CheckAsync(domain, profile, code).ConfigureAwait(false);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        double Percentile(double p) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(p * ms.Length) - 1)];
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["domain"] = domain,
            ["iterations"] = iterations,
            ["findings"] = first.Findings.Count,
            ["p50_ms"] = Math.Round(Percentile(0.50), 3),
            ["p95_ms"] = Math.Round(Percentile(0.95), 3),
            ["mean_ms"] = Math.Round(ms.Average(), 3),
        }));
        return 0;
    }
}
