using System.Net.Http.Headers;
using System.Text.Json;
using SenderAuth.Bench.Harness.Peers;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// The signing API over HTTP: the tests' Knot also serves the sender domain's zone (bench/zones/mosamuseum.com.zone),
/// the server (Release CLI, SQLite in the run's folder) reads it through --resolver, institution mosa registers
/// mosamuseum.com through the API, the check passes, signing is enabled, one signed message must verify; then wrk
/// POSTs bench/data/transactional-2k.eml (the message of row_dkim) for --server-seconds with an institution API key.
/// Reported: signed msgs/s against <c>openssl speed -multi 2</c> raw RSA-2048 sign/s (target &gt;= 0.5x), p50/p99
/// latency, errors (non-200, unsigned answers, socket errors: must be 0, else the row fails).
/// </summary>
/// <remarks>
/// wrk -t2 -c32: one wrk thread per core; 32 connections keep both cores of the server busy (fewer leave them idle
/// between requests, more only add queueing latency; see docs/benchmarks.md). The server's default rate limit (5,000
/// requests/s per key, burst 10,000) is within ~12% of what this 2-core VM signs on a quiet minute: the bench raises
/// it, to time the signing, not the limiter (a 429 would count as an error and fail the row).
/// </remarks>
public sealed class ServerRow : IRow
{
    private const int Threads = 2;
    private const int Connections = 32;

    public string Name => "row_server";

    public string Description => "signing API over HTTP under wrk (vs openssl speed -multi 2)";

    public IReadOnlyList<string> Packages => ["knot", "knot-dnsutils", "wrk", "openssl"];

    /// <summary>The switches that lift the API's rate limit, for rows that time the server rather than the limiter.</summary>
    public static readonly string[] NoRateLimit = ["--SenderAuth:Limits:RequestsPerSecond=1000000", "--SenderAuth:Limits:Burst=1000000"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var dir = context.Folder("server");
        var message = context.Path("bench/data/transactional-2k.eml");
        var s = context.Options.ServerSeconds;
        var knot = await TestServer.StartAsync(context, "knot", Path.Combine(dir, "knot"), [context.Path("bench/zones")], ct: ct).ConfigureAwait(false);
        var dns = knot["SENDERAUTH_TEST_DNS"];
        var server = await SenderAuthServer.StartAsync(context, dir, ["--milter", "none", "--resolver", dns, .. NoRateLimit], ct: ct).ConfigureAwait(false);
        RowContext.Log($"==> server: onboarding mosamuseum.com (institution mosa) against Knot at {dns}");
        await server.OnboardForSigningAsync("mosa", "MOSA Museum", "mosamuseum.com", null, ct).ConfigureAwait(false);
        var key = (await server.CallAsync(HttpMethod.Post, "/institutions/mosa/api-keys", new { name = "bench", scopes = new[] { "sign" } }, ct).ConfigureAwait(false))?["key"]?.GetValue<string>()
            ?? throw new RowFailedException("no API key in the answer");
        await VerifyOneAsync(context, server, dir, message, key, ct).ConfigureAwait(false);

        var env = new Dictionary<string, string> { ["SENDERAUTH_BENCH_MESSAGE"] = message, ["SENDERAUTH_BENCH_KEY"] = key };
        var url = server.Api + "/api/v1/messages/sign";
        var script = context.Path("bench/peers/wrk-sign.lua");
        RowContext.Log("==> server: wrk warm-up 5 s");
        await Tool.RunAsync("wrk", [$"-t{Threads}", $"-c{Connections}", "-d5s", "--timeout", "5s", "-s", script, url], ct,
            new Dictionary<string, string>(env) { ["SENDERAUTH_BENCH_OUT"] = Path.Combine(dir, "warmup.json") }).ConfigureAwait(false);
        RowContext.Log($"==> server: wrk -t{Threads} -c{Connections} {s}s, POST messages/sign (2 KB, rsa-2048)");
        var json = Path.Combine(dir, "wrk.json");
        var wrk = await Tool.RunAsync("wrk", [$"-t{Threads}", $"-c{Connections}", $"-d{s}s", "--timeout", "5s", "--latency", "-s", script, url], ct,
            new Dictionary<string, string>(env) { ["SENDERAUTH_BENCH_OUT"] = json }).ConfigureAwait(false);
        RowContext.Log(string.Join('\n', wrk.Stdout.TrimEnd().Split('\n').Select(l => "    " + l)));
        var summary = await File.ReadAllTextAsync(json, ct).ConfigureAwait(false);
        RowContext.Log("    " + summary.Trim());
        var serverLog = server.Process.Log;
        await server.DisposeAsync().ConfigureAwait(false);
        await knot.DisposeAsync().ConfigureAwait(false);

        RowContext.Log($"==> server: openssl speed -elapsed -seconds {context.Options.Seconds} -multi 2 rsa2048");
        var raw = await OpensslSpeed.MultiSignRateAsync(context.Options.Seconds, 2, ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(summary);
        var r = doc.RootElement;
        var sockets = r.GetProperty("socket_errors");
        var errors = r.GetProperty("non_2xx").GetInt64() + r.GetProperty("not_signed").GetInt64()
            + new[] { "connect", "read", "write", "timeout" }.Sum(k => sockets.GetProperty(k).GetInt64());
        var what = $"signing API over HTTP, rsa-2048, 2 KB, wrk -t{Threads} -c{Connections} {s}s";
        context.Report(new($"{what} (msgs/s vs openssl speed -multi 2 raw RSA sign)", r.GetProperty("msgs_per_s").GetDouble(), raw, "0.5"));
        context.Report(new($"{what}, p50 (microseconds, not evals/s)", r.GetProperty("p50_us").GetDouble(), null));
        context.Report(new($"{what}, p99 (microseconds, not evals/s)", r.GetProperty("p99_us").GetDouble(), null));
        context.Report(new($"{what}, errors (non-200, unsigned, socket)", errors, null, "<=0"));
        if (errors != 0)
        {
            throw new RowFailedException($"{errors} errors under load (must be 0): {summary}\n"
                + Tool.Tail(await File.ReadAllTextAsync(serverLog, ct).ConfigureAwait(false), 50));
        }
    }

    /// <summary>One message through the API, verified by our CLI against the bench zone plus the provider zone the server serves.</summary>
    private static async Task VerifyOneAsync(RowContext context, SenderAuthServer server, string dir, string message, string key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages/sign")
        {
            Content = new ByteArrayContent(await File.ReadAllBytesAsync(message, ct).ConfigureAwait(false)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await server.Http.SendAsync(request, ct).ConfigureAwait(false);
        var signing = response.Headers.TryGetValues("SenderAuth-Signing", out var v) ? string.Join(",", v) : "";
        if (!response.IsSuccessStatusCode || !signing.StartsWith("signed;", StringComparison.OrdinalIgnoreCase))
        {
            throw new RowFailedException($"POST messages/sign: {(int)response.StatusCode}, SenderAuth-Signing: {signing}");
        }
        var signed = Path.Combine(dir, "signed.eml");
        await File.WriteAllBytesAsync(signed, await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        var zone = await server.WriteVerifyZoneAsync(context.Path("bench/zones/mosamuseum.com.zone"), Path.Combine(dir, "verify.zone"), ct).ConfigureAwait(false);
        await VerifyWithCliAsync(context, zone, signed, ct).ConfigureAwait(false);
        var field = File.ReadLines(signed).First(l => l.StartsWith("DKIM-Signature", StringComparison.OrdinalIgnoreCase));
        RowContext.Log($"    {field[..Math.Min(100, field.Length)]}... verifies");
    }

    /// <summary>Our CLI's <c>dkim verify --zone</c> must pass on the message (the product's own verifier, as a receiver would).</summary>
    public static async Task VerifyWithCliAsync(RowContext context, string zone, string message, CancellationToken ct)
    {
        var cli = await context.CliAsync().ConfigureAwait(false);
        var result = await Tool.RunAsync(cli, ["dkim", "verify", "--zone", zone, message], ct, captureStderr: true, check: false).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new RowFailedException($"{Path.GetFileName(message)} does not verify:\n{result.Stdout}{result.Stderr}");
        }
    }
}
