using System.Text.Json;
using SenderAuth.Bench.Harness.Seeding;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// Continuous verification at scale: 10,000 sender domains (sNNNNN.example, 100 per institution iNNN, so 200 DKIM
/// keys) served by the tests' Knot (with the generated zone, query counters on), the server (Release CLI, SQLite in
/// the run's folder, the scheduler on: VerifiedInterval 1 h, Tick 1 s, Concurrency 16, BatchSize 1,000).
/// </summary>
/// <remarks>
/// Onboarding: the institutions and the first domain of each through the API (keys generated, zone published), the
/// other 9,800 inserted through the server's EF Core model (<see cref="MonitorDomains"/>), then the last domain of each
/// through the API, timed (a create's cost with the zone at full size), and signing enabled on those 100. The
/// scheduler verifies all (Pending -> Verified); then every domain is made due at once and the sweep is timed from
/// that moment to the last check's timestamp in CheckRuns. Knot's query counter over the sweep / 10,000 = queries per
/// domain to the institutions' zones (the provider zone's queries go to the server's own DNS and are not in it). RSS
/// from /proc. SENDERAUTH_BENCH_DOMAINS=N runs it smaller (a multiple of 100; 10 per institution below 1,000).
/// </remarks>
public sealed class MonitorRow : IRow
{
    private const int Concurrency = 16;

    public string Name => "row_monitor";

    public string Description => "monitor sweep of 10,000 Verified domains against a local Knot (no peer)";

    public IReadOnlyList<string> Packages => ["knot", "knot-dnsutils"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var domains = int.Parse(Environment.GetEnvironmentVariable("SENDERAUTH_BENCH_DOMAINS") ?? "10000");
        var institutions = domains >= 1000 ? 100 : domains / 10;
        var per = domains / institutions;
        var dir = context.Folder("monitor");
        var list = await MonitorZone.WriteAsync(Path.Combine(dir, "zone"), domains, institutions, ct).ConfigureAwait(false);
        var knot = await TestServer.StartAsync(context, "knot", Path.Combine(dir, "knot"), [Path.Combine(dir, "zone")],
            new Dictionary<string, string> { ["SENDERAUTH_KNOT_STATS"] = "on" }, ct).ConfigureAwait(false);
        var dns = knot["SENDERAUTH_TEST_DNS"];
        var server = await SenderAuthServer.StartAsync(context, dir, ["--milter", "none", "--resolver", dns, .. ServerRow.NoRateLimit,
            "--SenderAuth:Monitoring:VerifiedInterval=01:00:00", "--SenderAuth:Monitoring:Tick=00:00:01",
            $"--SenderAuth:Monitoring:Concurrency={Concurrency}", "--SenderAuth:Monitoring:BatchSize=1000"], ct: ct).ConfigureAwait(false);
        var db = ServerDatabase.Sqlite(server.Data);
        await using var _ = db.ConfigureAwait(false);

        // The API set: the first domain of each institution (keys, first publishes), then the last one of each,
        // created once the others are in the database, so their creates pay the zone at full size.
        var first = list.Where((_, i) => i % per == 0).ToList();
        var last = list.Where((_, i) => i % per == per - 1).ToList();
        RowContext.Log($"==> monitor: onboarding institutions and 1 domain each through the API (Knot at {dns})");
        RowContext.Log("    " + JsonSerializer.Serialize(await ApiOnboarding.RunAsync(server, first, institutions: true, signing: false, ct).ConfigureAwait(false)));
        RowContext.Log($"==> monitor: inserting {domains - 2 * institutions} domains through the server's EF Core model");
        await MonitorDomains.InsertAsync(db, list, first.Concat(last).Select(p => p.Domain).ToHashSet(), ct).ConfigureAwait(false);
        RowContext.Log($"==> monitor: {institutions} creates through the API at {domains - institutions} domains, signing on each");
        var onboardLast = await ApiOnboarding.RunAsync(server, last, institutions: false, signing: true, ct).ConfigureAwait(false);
        RowContext.Log("    " + JsonSerializer.Serialize(onboardLast));

        RowContext.Log($"==> monitor: first pass (Pending -> Verified) of all {domains}");
        await MonitorDomains.MakeDueAsync(db, ct).ConfigureAwait(false);
        var (all, verified) = (0, 0);
        for (var i = 0; i < 1800 && verified != domains; i++)
        {
            await Task.Delay(1000, ct).ConfigureAwait(false);
            (all, verified) = await MonitorDomains.CountAsync(db, ct).ConfigureAwait(false);
        }
        if (verified != domains)
        {
            throw new RowFailedException($"{verified} of {all} domains Verified after 30 min\n{Tool.Tail(await File.ReadAllTextAsync(server.Process.Log, ct).ConfigureAwait(false), 30)}");
        }
        await Task.Delay(3000, ct).ConfigureAwait(false);  // the last pass's rotation work, so the sweep starts on an idle scheduler
        var rssBefore = server.Process.ProcStatusKb("VmRSS");
        var q0 = await KnotQueriesAsync(knot, ct).ConfigureAwait(false);
        RowContext.Log($"==> monitor: sweep, all {domains} Verified domains due now");
        var since = await MonitorDomains.MakeDueAsync(db, ct).ConfigureAwait(false);
        var sweep = await MonitorDomains.SweepAsync(db, since, ct).ConfigureAwait(false);
        for (var i = 0; i < 3600 && sweep.Domains != domains; i++)
        {
            await Task.Delay(1000, ct).ConfigureAwait(false);
            sweep = await MonitorDomains.SweepAsync(db, since, ct).ConfigureAwait(false);
        }
        var q1 = await KnotQueriesAsync(knot, ct).ConfigureAwait(false);
        long hwm = server.Process.ProcStatusKb("VmHWM"), rss = server.Process.ProcStatusKb("VmRSS");
        RowContext.Log($"    {JsonSerializer.Serialize(sweep)}; Knot queries {q1 - q0}; RSS before {rssBefore} kB, after {rss} kB, peak {hwm} kB");
        if (sweep.Domains != domains)
        {
            throw new RowFailedException("the sweep did not finish in an hour");
        }
        if (sweep.Passed != domains)
        {
            throw new RowFailedException($"checks failed during the sweep: {JsonSerializer.Serialize(sweep)}");
        }
        await server.DisposeAsync().ConfigureAwait(false);
        await knot.DisposeAsync().ConfigureAwait(false);

        var seconds = Math.Round(sweep.LastSeconds!.Value, 1);
        var what = $"monitor sweep, {domains} Verified domains vs local Knot, concurrency {Concurrency}";
        context.Report(new($"{what}, {seconds} s = {seconds / 3600:0.000} of the hour (checks/s)", domains / seconds, null));
        context.Report(new($"{what}, Knot queries {(q1 - q0) / (double)domains:0.00} per domain (queries in the sweep, not evals/s)", q1 - q0, null));
        context.Report(new($"{what}, server RSS at the end (kB, not evals/s)", rss, null));
        context.Report(new($"{what}, server peak RSS, VmHWM, whole run (kB, not evals/s)", hwm, null));
        context.Report(new($"monitor onboarding, {institutions} API creates at {domains - institutions} domains (ms per create, not evals/s)",
            onboardLast.CreateSeconds * 1000 / institutions, null));
    }

    /// <summary>Queries Knot has answered so far (mod-stats, on with SENDERAUTH_KNOT_STATS=on).</summary>
    private static async Task<long> KnotQueriesAsync(TestServer knot, CancellationToken ct)
    {
        var output = await Tool.RunAsync("knotc", ["-s", Path.Combine(knot.Folder, "k.sock"), "stats", "mod-stats.server-operation"], ct).ConfigureAwait(false);
        // mod-stats.server-operation[query] = 123456
        var line = output.Stdout.Split('\n').FirstOrDefault(l => l.Contains("[query]", StringComparison.Ordinal))
            ?? throw new RowFailedException("knotc printed no query counter:\n" + output.Stdout);
        return long.Parse(line.Split(" = ")[1].Trim());
    }
}
