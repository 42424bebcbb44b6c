using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// The private Postfix that run-tests starts (tests/servers/postfix) and our server as a child process listening
/// as its milter; institutions onboarded against the test Knot with signing enabled; swaks to send and the
/// smtp-sink dump folder to read what Postfix delivered.
/// </summary>
public sealed partial class PostfixWorld : IAsyncDisposable
{
    private const string OperatorKey = "sa_postfix-operator-key-0123456789abcdef";
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("sa-postfix-");
    private readonly Dictionary<string, string> _keys = [];

    private readonly string[] _extra;
    private readonly bool _firstRun;

    private PostfixWorld(string[] extra, bool firstRun)
    {
        _extra = extra;
        _firstRun = firstRun;
    }

    public ServerProcess Server { get; private set; } = null!;

    public string Smtp { get; } = Env("SENDERAUTH_TEST_POSTFIX_SMTP");

    public string Queue { get; } = Env("SENDERAUTH_TEST_POSTFIX_QUEUE");

    public string Sink { get; } = Env("SENDERAUTH_TEST_POSTFIX_SINK");

    public string Milter { get; } = Env("SENDERAUTH_TEST_MILTER");

    /// <summary>name → TXT of every key published for the institutions made here (what receivers find in DNS).</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <param name="extra">More server settings (e.g. verify mode).</param>
    public static Task<PostfixWorld> StartAsync(CancellationToken ct, params string[] extra) => StartAsync(firstRun: false, ct, extra);

    /// <param name="firstRun">No secrets given: the server generates its master key into the data folder and prints
    /// an operator key once, as on a user's first <c>./senderauth serve</c>; the world reads it from the banner.</param>
    public static async Task<PostfixWorld> StartAsync(bool firstRun, CancellationToken ct, params string[] extra)
    {
        var world = new PostfixWorld(extra, firstRun);
        await world.StartServerAsync(ct);
        return world;
    }

    /// <summary>The server's data folder (SQLite database, generated master key).</summary>
    public string DataDirectory => _data.FullName;

    public async Task StartServerAsync(CancellationToken ct)
    {
        string[] args =
        [
            "serve", "--data", _data.FullName, "--dns", "127.0.0.1:0", "--resolver", Env("SENDERAUTH_TEST_DNS"), "--milter", Milter,
            "--SenderAuth:Resolver:TimeoutSeconds=2", "--SenderAuth:Provider:RsaBits=1024", "--SenderAuth:Monitoring:Enabled=false",
            "--SenderAuth:Milter:UnknownDomainPolicy=Reject", .. _extra,
        ];
        Server = _firstRun ? await ServerProcess.StartAsync(args, null, null, ct) : await ServerProcess.StartAsync(args, OperatorKey, ServerHost.MasterKey, ct);
    }

    /// <summary>An institution with one sender domain published in the test Knot, checked, signing enabled; returns the domain.</summary>
    public async Task<string> OnboardAsync(string code, bool enableSigning, string? policy = null)
    {
        var client = Server.Client();
        var zone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var domain = $"{code}.{zone}";
        await client.CreateInstitution(code, policy);
        await client.CreateDomain(code, domain);
        if (!enableSigning)
        {
            return domain;
        }
        var fragment = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone")).Content.ReadAsStringAsync();
        await KnotUpdate.AddAsync(Env("SENDERAUTH_TEST_DNS"), Env("SENDERAUTH_TEST_TSIG").Split(':', 3), zone, fragment);
        var check = await (await client.PostAsync($"/api/v1/institutions/{code}/domains/{domain}/check", null)).Json(HttpStatusCode.OK);
        Assert.True(check["passed"]!.GetValue<bool>(), check.ToJsonString());
        var enabled = await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
        Assert.True(enabled["signingEnabled"]!.GetValue<bool>());
        var keys = (await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/keys")).Json(HttpStatusCode.OK))["items"]!;
        var active = keys.AsArray().Single(k => k!["state"]!.GetValue<string>() == "active")!;
        _keys[$"{active["selector"]!.GetValue<string>()}._domainkey.{domain}"] = $"v=DKIM1; k=rsa; p={active["publicKey"]!.GetValue<string>()}";
        return domain;
    }

    /// <summary>
    /// Turns on the domain's Ed25519 signature, publishes its two CNAMEs in the test Knot and checks, so its key
    /// signs; adds that key to the peers' DNS. Returns the Ed25519 selector signing.
    /// </summary>
    public async Task<string> EnableEd25519Async(string code, string domain)
    {
        var client = Server.Client();
        var api = $"/api/v1/institutions/{code}/domains/{domain}";
        await (await client.PostJson($"{api}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        var fragment = await (await client.GetAsync($"{api}/records?format=zone")).Content.ReadAsStringAsync();
        var zone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        await KnotUpdate.AddAsync(Env("SENDERAUTH_TEST_DNS"), Env("SENDERAUTH_TEST_TSIG").Split(':', 3), zone,
            string.Join('\n', fragment.Split('\n').Where(l => l.StartsWith("stxed", StringComparison.Ordinal))));
        var on = await (await client.PostJson($"{api}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        var selector = on["signingSelector"]?.GetValue<string>() ?? throw new InvalidOperationException($"the Ed25519 key does not sign: {on.ToJsonString()}");
        var keys = (await (await client.GetAsync($"{api}/keys")).Json(HttpStatusCode.OK))["items"]!;
        var active = keys.AsArray().Single(k => k!["state"]!.GetValue<string>() == "active" && k["algorithm"]!.GetValue<string>() == "ed25519")!;
        _keys[$"{selector}._domainkey.{domain}"] = $"v=DKIM1; k=ed25519; p={active["publicKey"]!.GetValue<string>()}";
        return selector;
    }

    /// <summary>Sends one message with swaks; returns its exit code and transcript (0: accepted).</summary>
    public static Task<(int Code, string Transcript)> SwaksAsync(string server, string from, string id, string subject = "Your ticket") =>
        RunSwaksAsync(
            "--server", server, "--from", $"bounce@{from.Split('@')[1]}", "--to", "visitor@example.org", "--helo", "app.senderauth.test",
            "--header", $"From: Tickets <{from}>", "--header", $"Subject: {subject}", "--header", $"Message-Id: <{id}@senderauth.test>",
            "--body", $"Ticket {id}\nSee you at the museum.\n", "--timeout", "30");

    /// <summary>Sends a whole message file as DATA with swaks (headers and body as they are).</summary>
    public static Task<(int Code, string Transcript)> SwaksDataAsync(string server, string mailFrom, string file) =>
        RunSwaksAsync("--server", server, "--from", mailFrom, "--to", "visitor@example.org", "--helo", "mx-out.sender.example", "--data", file, "--timeout", "30");

    private static async Task<(int Code, string Transcript)> RunSwaksAsync(params string[] arguments)
    {
        var psi = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>The delivered message holding this id (sink pseudo-headers dropped, CRLF), waiting up to <paramref name="seconds"/>.</summary>
    public async Task<byte[]?> DeliveredAsync(string id, int seconds = 30)
    {
        var found = await DeliveredAsync([id], seconds);
        return found.GetValueOrDefault(id);
    }

    /// <summary>The delivered messages by id, for those that arrived within <paramref name="seconds"/>.</summary>
    public async Task<Dictionary<string, byte[]>> DeliveredAsync(IReadOnlyCollection<string> ids, int seconds)
    {
        var found = new Dictionary<string, byte[]>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var file in Directory.EnumerateFiles(Sink))
            {
                // smtp-sink writes a dump while the transaction runs: a file touched in the last second may be partial.
                if (File.GetLastWriteTimeUtc(file) > DateTime.UtcNow.AddSeconds(-1))
                {
                    continue;
                }
                var text = await File.ReadAllTextAsync(file);
                foreach (var id in ids)
                {
                    if (!found.ContainsKey(id) && text.Contains($"<{id}@senderauth.test>", StringComparison.Ordinal))
                    {
                        found[id] = Clean(text);
                    }
                }
            }
            if (found.Count == ids.Count || clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                return found;
            }
            await Task.Delay(250);
        }
    }

    /// <summary>smtp-sink writes its own X-Client-*/X-*-Args lines first and LF line ends; receivers see CRLF.</summary>
    private static byte[] Clean(string dump)
    {
        var lines = dump.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').SkipWhile(l => SinkLine().IsMatch(l));
        return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
    }

    [GeneratedRegex("^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): ")]
    private static partial Regex SinkLine();

    /// <summary>d= and s= of each DKIM-Signature field, top first.</summary>
    public static List<(string Domain, string Selector)> Signatures(byte[] message)
    {
        var parsed = SenderAuth.Mail.MailMessage.Parse(message);
        return [.. parsed.All("DKIM-Signature").Select(h =>
        {
            var tags = h.Value.Split(';').Select(t => t.Trim().Split('=', 2)).Where(t => t.Length == 2).ToDictionary(t => t[0].Trim(), t => t[1].Trim());
            return (tags["d"], tags["s"]);
        })];
    }

    /// <summary>Writes the messages and DNS files for the peers; returns (json DNS, libopendkim key file, message files).</summary>
    public (string Json, string KeyFile, string[] Files) PeerFiles(IEnumerable<byte[]> messages)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_data.FullName, "peer-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var json = Path.Combine(dir, "dns.json");
        File.WriteAllText(json, JsonSerializer.Serialize(_keys));
        var keyFile = Path.Combine(dir, "dns.txt");
        File.WriteAllText(keyFile, string.Concat(_keys.Select(k => $"{k.Key}\t{k.Value}\n")));
        var files = messages.Select((m, i) =>
        {
            var path = Path.Combine(dir, $"m{i}.eml");
            File.WriteAllBytes(path, m);
            return path;
        }).ToArray();
        return (json, keyFile, files);
    }

    public static string Env(string name)
    {
        var value = TestServers.Get(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Skip($"{name} is unset (the test Postfix or Knot is not running): run ./run-tests");
        }
        return value;
    }

    /// <summary>What Postfix still holds in its queue (postqueue -p), for a failure's message.</summary>
    public static string Queued()
    {
        var psi = new ProcessStartInfo("postqueue") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", Env("SENDERAUTH_TEST_POSTFIX_CONFIG"), "-p" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
