using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SenderAuth.Bench.Harness.Servers;

/// <summary>
/// Our server as users start it (what <c>./senderauth serve</c> runs: <c>SenderAuth.Server</c> from the Release build) on loopback, with a fresh
/// operator key, and an HTTP client for its API. Rows onboard through this API as an operator would.
/// </summary>
public sealed class SenderAuthServer : IAsyncDisposable
{
    private readonly BackgroundProcess process;

    private SenderAuthServer(BackgroundProcess process, string api, string operatorKey, string data)
    {
        this.process = process;
        Api = api;
        OperatorKey = operatorKey;
        Data = data;
        Http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromMinutes(2) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string Api { get; }

    public string OperatorKey { get; }

    /// <summary>The data folder (senderauth.db for SQLite).</summary>
    public string Data { get; }

    /// <summary>Calls the API as the operator.</summary>
    public HttpClient Http { get; }

    public BackgroundProcess Process => process;

    /// <summary>
    /// Starts <c>serve --data FOLDER/data --urls … --dns 127.0.0.1:0</c> plus <paramref name="args"/>, waits until
    /// /ready answers (30 s), and registers its stop with the context.
    /// </summary>
    public static async Task<SenderAuthServer> StartAsync(RowContext context, string folder, IEnumerable<string> args,
        string? masterKey = null, CancellationToken ct = default)
    {
        var cli = await context.CliAsync().ConfigureAwait(false);
        // What `./senderauth serve` execs: the server's own program, built beside the CLI (.build/server).
        var exe = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(cli)!, "..", "server", "SenderAuth.Server");
        var api = $"http://127.0.0.1:{FreePort.Next()}";
        var op = "bench-operator-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var data = System.IO.Path.Combine(folder, "data");
        var env = new Dictionary<string, string> { ["SENDERAUTH_OPERATOR_KEY"] = op };
        if (masterKey is not null)
        {
            env["SENDERAUTH_MASTER_KEY"] = masterKey;
        }
        var process = BackgroundProcess.Start(exe, ["--data", data, "--urls", api, "--dns", "127.0.0.1:0", .. args],
            System.IO.Path.Combine(folder, "server.log"), env);
        var server = new SenderAuthServer(process, api, op, data);
        context.Defer(server);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300 && !process.HasExited; i++)
        {
            try
            {
                if ((await probe.GetAsync(new Uri($"{api}/ready"), ct).ConfigureAwait(false)).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        throw new RowFailedException($"the server did not become ready; log:\n{Tool.Tail(await File.ReadAllTextAsync(process.Log, ct).ConfigureAwait(false), 40)}");
    }

    /// <summary>METHOD /api/v1PATH with a JSON body; the answer's JSON (null when empty); a non-2xx answer fails the row.</summary>
    public async Task<JsonNode?> CallAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, "/api/v1" + path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RowFailedException($"{method} {path}: {(int)response.StatusCode} {text}");
        }
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>GET of a text resource (the provider zone).</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken ct = default) =>
        await Http.GetStringAsync(new Uri("/api/v1" + path, UriKind.Relative), ct).ConfigureAwait(false);

    /// <summary>
    /// Onboards one domain for signing as the rows that sign need it: the institution, the domain, optionally an
    /// imported key (PEM) for stxsel1, the check (must pass against the row's DNS), signing on.
    /// </summary>
    public async Task OnboardForSigningAsync(string code, string name, string domain, string? pem, CancellationToken ct)
    {
        await CallAsync(HttpMethod.Post, "/institutions", new { code, name }, ct).ConfigureAwait(false);
        await CallAsync(HttpMethod.Post, $"/institutions/{code}/domains", new { name = domain }, ct).ConfigureAwait(false);
        if (pem is not null)
        {
            await CallAsync(HttpMethod.Put, $"/institutions/{code}/domains/{domain}/keys/stxsel1", new { pem }, ct).ConfigureAwait(false);
        }
        var check = await CallAsync(HttpMethod.Post, $"/institutions/{code}/domains/{domain}/check", ct: ct).ConfigureAwait(false);
        if (check?["passed"]?.GetValue<bool>() != true)
        {
            throw new RowFailedException($"the domain check of {domain} did not pass: {check?.ToJsonString()}");
        }
        var signing = await CallAsync(HttpMethod.Post, $"/institutions/{code}/domains/{domain}/signing", new { enabled = true }, ct).ConfigureAwait(false);
        if (signing?["signingEnabled"]?.GetValue<bool>() != true)
        {
            throw new RowFailedException($"signing not enabled on {domain}: {signing?.ToJsonString()}");
        }
    }

    /// <summary>
    /// A zone file our CLI verifies signatures against: the sender domain's zone plus the provider zone the server
    /// serves (the CNAMEs of the signing selectors resolve into it).
    /// </summary>
    public async Task<string> WriteVerifyZoneAsync(string senderZone, string path, CancellationToken ct)
    {
        var text = new StringBuilder(await File.ReadAllTextAsync(senderZone, ct).ConfigureAwait(false));
        text.Append('\n').Append(await GetTextAsync("/provider-zone", ct).ConfigureAwait(false));
        await File.WriteAllTextAsync(path, text.ToString(), ct).ConfigureAwait(false);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await process.DisposeAsync().ConfigureAwait(false);
    }
}
