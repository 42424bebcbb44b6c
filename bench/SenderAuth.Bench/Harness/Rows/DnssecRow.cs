using System.Text.Json;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// DNSSEC validation in our own code (tests/servers/unbound: the signing Knot behind unbound, test anchor), through
/// unbound asked with CD, against the resolver-AD probe it replaces on the same name (the "peer" column: unbound
/// validates and we read its AD bit); then full checks against the signing Knot itself, with our own validation and
/// without DNSSEC (peer column). Latencies in microseconds.
/// </summary>
public sealed class DnssecRow : IRow
{
    public string Name => "row_dnssec";

    public string Description => "DNSSEC own validation and checks with it (vs unbound's AD bit, vs no DNSSEC)";

    public IReadOnlyList<string> Packages => ["knot", "knot-dnsutils", "knot-dnssecutils", "unbound", "ldnsutils"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var servers = await TestServer.StartAsync(context, "unbound", context.Folder("dnssec"), ct: ct).ConfigureAwait(false);
        var validator = servers["SENDERAUTH_TEST_VALIDATOR"];
        RowContext.Log($"==> dnssec: own validation of secure.dnssec.test TXT through unbound at {validator}");
        var output = await Tool.RunAsync(context.Bench, ["--dnssec-latency", "--resolver", validator, "--anchor", servers["SENDERAUTH_TEST_TRUST_ANCHOR"],
            "--domain", "secure.dnssec.test", "--dkim-zone", "dkim.dnssec.test", "--auth", servers["SENDERAUTH_TEST_DNSSEC_AUTH"], "--iterations", "300"], ct).ConfigureAwait(false);
        await servers.DisposeAsync().ConfigureAwait(false);
        using var doc = JsonDocument.Parse(output.Stdout);
        double Us(string field) => Math.Round(doc.RootElement.GetProperty(field).GetDouble() * 1000);
        context.Report(new("DNSSEC own validation, cold (chain fetched), p50 (microseconds, not evals/s)", Us("validate_cold_p50_ms"), Us("resolver_probe_p50_ms")));
        context.Report(new("DNSSEC own validation, warm (zone keys cached), p50 (microseconds, not evals/s)", Us("validate_warm_p50_ms"), Us("resolver_probe_p50_ms")));
        context.Report(new("domain check secure.dnssec.test vs signing Knot, own DNSSEC validation, cold, p50 (microseconds, not evals/s; peer: same check without DNSSEC)",
            Us("check_own_validation_cold_p50_ms"), Us("check_without_dnssec_p50_ms"), "<=50000"));
        context.Report(new("domain check secure.dnssec.test vs signing Knot, own DNSSEC validation, cold, p95 (microseconds, not evals/s; peer: same check without DNSSEC)",
            Us("check_own_validation_cold_p95_ms"), Us("check_without_dnssec_p95_ms")));
    }
}
