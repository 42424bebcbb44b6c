using System.Diagnostics;
using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Bench;

/// <summary>
/// Wall time of DNSSEC answers for one name (TXT) through a validating resolver: our own validation with a fresh
/// validator each time (cold: every DS and DNSKEY of the chain is fetched and verified), with one validator kept
/// (warm: the zones' keys are cached, only the answer is fetched and verified), the resolver-AD probe it replaces
/// (<see cref="NetworkDnssecProbe"/>), and a full domain check with our own validation (cold). Prints p50/p95 in ms.
/// Usage: --dnssec-latency --resolver HOST:PORT --anchor FILE --domain D --dkim-zone Z [--auth HOST:PORT] [--iterations N]
/// </summary>
public static class DnssecLatency
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--resolver", out var server) || !options.TryGetValue("--anchor", out var anchorFile)
            || !options.TryGetValue("--domain", out var domain) || !options.TryGetValue("--dkim-zone", out var dkimZone))
        {
            await Console.Error.WriteLineAsync("usage: --dnssec-latency --resolver HOST:PORT --anchor FILE --domain D --dkim-zone Z [--iterations N]").ConfigureAwait(false);
            return 2;
        }
        var iterations = int.Parse(options.GetValueOrDefault("--iterations", "200"), System.Globalization.CultureInfo.InvariantCulture);
        var network = new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)] };
        var anchors = TrustAnchors.Load(anchorFile);
        var transport = new NetworkDnssecTransport(network);
        var warm = new DnssecValidator(transport, anchors);
        var probe = new NetworkDnssecProbe(network);
        var profile = new ProviderProfile { DkimZone = dkimZone, SpfInclude = options.GetValueOrDefault("--spf-include", "spf.dnssec.test"), Selectors = [new ProviderSelector("s1", "s1")] };
        // The full checks ask the signing server directly (--auth; through unbound some of the check's other queries
        // leave the stub zones and fail slowly, which would swamp the DNSSEC share). One resolver for every check, as
        // --check-latency does (each check still starts with an empty cache).
        var auth = options.TryGetValue("--auth", out var a)
            ? new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(a)] } : network;
        var resolver = new NetworkDnsResolver(auth);
        var authTransport = new NetworkDnssecTransport(auth);
        // The answer must be a real validation, not a failure measured fast.
        var first = await warm.ValidateAsync(domain, 16).ConfigureAwait(false);
        if (first.Status != DnssecStatus.Secure)
        {
            await Console.Error.WriteLineAsync($"dnssec-latency: {domain} is {first.Status} ({first.Detail}), expected secure").ConfigureAwait(false);
            return 3;
        }
        var cases = new Dictionary<string, Func<Task>>
        {
            ["validate_cold"] = async () => await new DnssecValidator(transport, anchors).ValidateAsync(domain, 16).ConfigureAwait(false),
            ["validate_warm"] = async () => await warm.ValidateAsync(domain, 16).ConfigureAwait(false),
            ["resolver_probe"] = async () => await probe.ProbeAsync(domain, DnsRecordType.Txt).ConfigureAwait(false),
            ["check_without_dnssec"] = async () => await new DomainChecker(resolver).CheckAsync(domain, profile, string.Empty).ConfigureAwait(false),
            ["check_own_validation_cold"] = async () => await new DomainChecker(resolver)
            {
                Dnssec = new ValidatingDnssecProbe(new DnssecValidator(authTransport, anchors)),
            }.CheckAsync(domain, profile, string.Empty).ConfigureAwait(false),
        };
        var result = new Dictionary<string, object> { ["domain"] = domain, ["iterations"] = iterations };
        foreach (var (name, run) in cases)
        {
            for (var i = 0; i < Math.Min(20, iterations); i++)
            {
                await run().ConfigureAwait(false);
            }
            var ms = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await run().ConfigureAwait(false);
                ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(ms);
            result[name + "_p50_ms"] = Math.Round(ms[(ms.Length - 1) / 2], 3);
            result[name + "_p95_ms"] = Math.Round(ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(0.95 * ms.Length) - 1)], 3);
        }
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }
}
