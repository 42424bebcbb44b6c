using System.Diagnostics;
using System.Text.Json;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// Domain check against the tests' private Knot on loopback (tests/servers/knot, the fixture zones): latency of
/// one full check (p50, microseconds; target &lt;= 50 ms), then a bulk run of 10,000 domains (most NXDOMAIN names
/// under the fixtures' parent zone example., every 50th a fixture) through the CLI at concurrency 64.
/// </summary>
public sealed class CheckRow : IRow
{
    private const int Domains = 10_000;

    private static readonly string[] Fixtures =
    [
        "good", "nested", "twice", "flattxt", "flata", "nounderscore", "wrongtarget", "swapped", "truncated", "twospf", "type99",
        "noinclude", "plusall", "toomany", "nodmarc", "dmarcapex", "dmarctwice", "ruanotours", "unauthorised",
    ];

    public string Name => "row_check";

    public string Description => "domain check latency and a 10,000-domain bulk check against a local Knot (no peer)";

    public IReadOnlyList<string> Packages => ["knot", "knot-dnsutils"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var profile = context.Path("tests/SenderAuth.Tests/TestData/check/profile.json");
        var knot = await TestServer.StartAsync(context, "knot", context.Folder("knot"), ct: ct).ConfigureAwait(false);
        var dns = knot["SENDERAUTH_TEST_DNS"];
        RowContext.Log($"==> check: latency of full checks of good.example against Knot at {dns}");
        var latency = await Tool.RunAsync(context.Bench, ["--check-latency", "--resolver", dns, "--profile", profile, "--domain", "good.example",
            "--code", "mosa", "--iterations", "500"], ct).ConfigureAwait(false);
        var list = Path.Combine(context.Work, "domains.txt");
        await File.WriteAllLinesAsync(list, Enumerable.Range(0, Domains)
            .Select(i => i % 50 == 0 ? $"{Fixtures[i / 50 % Fixtures.Length]}.example" : $"nx{i:00000}.example"), ct).ConfigureAwait(false);
        var cli = await context.EngineCliAsync().ConfigureAwait(false);
        RowContext.Log("==> check: bulk, 10,000 domains, concurrency 64");
        var sw = Stopwatch.StartNew();
        // --dnssec resolver: this Knot is no recursive resolver, so validation from the root's anchors cannot reach the
        // fixture zones; row_dnssec measures our own validation against the signed fixtures. The exit code says
        // whether the domains passed (most do not exist): not a failure of the row.
        var bulk = await Tool.RunAsync(cli, ["check", "--domains", list, "--code", "mosa", "--profile", profile, "--resolver", dns,
            "--dnssec", "resolver", "--concurrency", "64"], ct, captureStderr: true, check: false).ConfigureAwait(false);
        var seconds = sw.Elapsed.TotalSeconds;
        await knot.DisposeAsync().ConfigureAwait(false);
        RowContext.Log($"    {Tool.Tail(bulk.Stderr.TrimEnd(), 1)}");
        var results = bulk.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        if (results != Domains)
        {
            throw new RowFailedException($"bulk check: expected {Domains} results, got {results}:\n{Tool.Tail(bulk.Stderr, 20)}");
        }
        using var doc = JsonDocument.Parse(latency.Stdout);
        double Us(string field) => Math.Round(doc.RootElement.GetProperty(field).GetDouble() * 1000);
        context.Report(new("domain check good.example vs local Knot, p50 (microseconds, not evals/s)", Us("p50_ms"), null, "<=50000"));
        context.Report(new("domain check good.example vs local Knot, p95 (microseconds, not evals/s)", Us("p95_ms"), null));
        context.Report(new($"bulk check 10,000 domains, concurrency 64, {seconds:0.0} s wall incl. CLI start (domains/s)", Domains / seconds, null));
    }
}
