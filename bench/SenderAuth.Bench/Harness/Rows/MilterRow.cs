using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// The milter in the mail stream: the same Postfix (Debian's, private instances from tests/servers/postfix: smtpd
/// with the milter, delivery to smtp-sink, which dumps every message) with SenderAuth's milter (server from the
/// Release CLI, SQLite, institution mosa, mosamuseum.com onboarded through the API against the tests' Knot serving
/// bench/zones, its stxsel1 key imported from a PEM made here) and with Debian's opendkim milter signing with that
/// same PEM (bench/peers/opendkim-milter.conf.in: relaxed/relaxed, rsa-sha256, From/Subject/To/Date over-signed).
/// </summary>
/// <remarks>
/// smtp-source sends bench/data/transactional-2k.eml 2,000 times over 20 sessions; the rate is messages delivered
/// by Postfix per second, from the first submission to the last message dumped by the sink. Each contender runs 2
/// rounds (alternating, best kept: this VM's CPU is shared); every delivered message must carry a DKIM-Signature
/// with d=mosamuseum.com, or the row fails (lost messages too). One message of each is verified by our CLI against
/// DNS (bench zone + the server's provider zone): the same key. Then the milters alone, without the MTA.
/// </remarks>
public sealed partial class MilterRow : IRow
{
    private const int Messages = 2000;
    private const int Sessions = 20;
    private const int Rounds = 2;

    public string Name => "row_milter";

    public string Description => "milter through Postfix and alone (vs Debian's opendkim milter, vs Postfix without milter)";

    public IReadOnlyList<string> Packages => ["knot", "knot-dnsutils", "postfix", "opendkim", "openssl"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var dir = QueueFolder(context);
        var message = context.Path("bench/data/transactional-2k.eml");
        var knot = await TestServer.StartAsync(context, "knot", Path.Combine(dir, "knot"), [context.Path("bench/zones")], ct: ct).ConfigureAwait(false);
        int ours = FreePort.Next(), odkim = FreePort.Next();
        var server = await SenderAuthServer.StartAsync(context, dir, ["--resolver", knot["SENDERAUTH_TEST_DNS"], "--milter", $"inet:127.0.0.1:{ours}",
            "--Logging:LogLevel:Default=Warning"], ct: ct).ConfigureAwait(false);

        RowContext.Log("==> milter: onboarding mosamuseum.com with an imported RSA-2048 key (the one OpenDKIM gets too)");
        using var rsa = RSA.Create(2048);
        var pem = Path.Combine(dir, "key.pem");
        await File.WriteAllTextAsync(pem, rsa.ExportPkcs8PrivateKeyPem(), ct).ConfigureAwait(false);
        File.SetUnixFileMode(pem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await server.OnboardForSigningAsync("mosa", "MOSA Museum", "mosamuseum.com", rsa.ExportPkcs8PrivateKeyPem(), ct).ConfigureAwait(false);
        var keys = await server.CallAsync(HttpMethod.Get, "/institutions/mosa/domains/mosamuseum.com/keys", ct: ct).ConfigureAwait(false);
        var active = keys?["items"]?.AsArray().FirstOrDefault(k => k?["state"]?.GetValue<string>() == "active")?["publicKey"]?.GetValue<string>();
        if (active != Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()))
        {
            throw new RowFailedException("the active key is not the imported one");
        }
        var zone = await server.WriteVerifyZoneAsync(context.Path("bench/zones/mosamuseum.com.zone"), Path.Combine(dir, "verify.zone"), ct).ConfigureAwait(false);

        var conf = Path.Combine(dir, "opendkim.conf");
        await File.WriteAllTextAsync(conf, (await File.ReadAllTextAsync(context.Path("bench/peers/opendkim-milter.conf.in"), ct).ConfigureAwait(false))
            .Replace("@PORT@", odkim.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("@DIR@", dir, StringComparison.Ordinal), ct).ConfigureAwait(false);
        // opendkim runs as its own user: it reads the key and writes its pid file here.
        File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        context.Defer(BackgroundProcess.Start("opendkim", ["-x", conf, "-f"], Path.Combine(dir, "opendkim.log")));
        await WaitForPortAsync(odkim, ct).ConfigureAwait(false);

        var postfix = new Dictionary<string, TestServer>();
        foreach (var (who, milter) in new[] { ("ours", $"inet:127.0.0.1:{ours}"), ("opendkim", $"inet:127.0.0.1:{odkim}"), ("none", "none") })
        {
            postfix[who] = await TestServer.StartAsync(context, "postfix", Path.Combine(dir, $"pf-{who}"), [milter],
                new Dictionary<string, string> { ["SENDERAUTH_POSTFIX_PREFIX"] = "BENCH" }, ct).ConfigureAwait(false);
            if (!postfix[who].Values.ContainsKey("BENCH_POSTFIX_SMTP"))
            {
                throw new RowFailedException("postfix did not start (needs root)");
            }
        }

        var lost = 0;
        async Task<double> Run(string who, int count)
        {
            var (rate, missing) = await SendAsync(context, postfix[who], who, message, count, Path.Combine(dir, $"sample.{who}.eml"), ct).ConfigureAwait(false);
            lost += missing;
            return rate;
        }
        RowContext.Log("==> milter: warm-up (200 messages each)");
        foreach (var who in postfix.Keys)
        {
            await Run(who, 200).ConfigureAwait(false);
        }
        lost = 0;
        var best = postfix.Keys.ToDictionary(w => w, _ => 0.0);
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var (who, label) in new[] { ("ours", "SenderAuth milter:"), ("opendkim", "OpenDKIM milter:  "), ("none", "no milter:        ") })
            {
                var r = await Run(who, Messages).ConfigureAwait(false);
                RowContext.Log($"    {label} {r:0} msgs/s");
                best[who] = Math.Max(best[who], r);
            }
        }
        foreach (var who in new[] { "ours", "opendkim" })
        {
            // Messages as delivered carry smtp-sink's own X-* lines first; receivers would not see them.
            var check = Path.Combine(dir, $"check.{who}.eml");
            var lines = (await File.ReadAllTextAsync(Path.Combine(dir, $"sample.{who}.eml"), ct).ConfigureAwait(false)).Split('\n');
            await File.WriteAllTextAsync(check, string.Join('\n', lines.Where(l => !SinkLine().IsMatch(l))), ct).ConfigureAwait(false);
            await ServerRow.VerifyWithCliAsync(context, zone, check, ct).ConfigureAwait(false);
        }
        RowContext.Log("    a message of each verifies with the same DNS key (stxsel1._domainkey.mosamuseum.com)");

        // The milters alone (MilterThroughput plays Postfix's side: same offer, one message per connection, 16
        // connections at once): what each milter costs without the MTA around it.
        var alone = new Dictionary<string, double> { ["ours"] = 0, ["opendkim"] = 0 };
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var (who, port) in new[] { ("ours", ours), ("opendkim", odkim) })
            {
                var output = await Tool.RunAsync(context.Bench, ["--throughput", "milter", "--address", $"127.0.0.1:{port}", "--message", message,
                    "--seconds", context.Options.Seconds.ToString(CultureInfo.InvariantCulture), "--connections", "16"], ct).ConfigureAwait(false);
                using var doc = JsonDocument.Parse(output.Stdout);
                var r = doc.RootElement;
                long sent = r.GetProperty("messages").GetInt64(), signed = r.GetProperty("signed").GetInt64();
                var rate = r.GetProperty("msgs_per_s").GetDouble();
                RowContext.Log($"    milter alone, {who}: {rate:0} msgs/s ({signed} of {sent} signed)");
                if (signed != sent)
                {
                    throw new RowFailedException($"{who} left {sent - signed} messages unsigned");
                }
                alone[who] = Math.Max(alone[who], rate);
            }
        }
        var what = $"milter through Postfix, rsa-2048, 2 KB, {Messages} msgs x {Rounds} rounds, {Sessions} SMTP sessions";
        context.Report(new($"{what} (msgs/s vs Debian opendkim milter)", best["ours"], best["opendkim"], "1.5"));
        context.Report(new($"milter protocol alone (no MTA), rsa-2048, 2 KB, 16 connections, one message each, {context.Options.Seconds}s x {Rounds} (msgs/s vs opendkim milter)",
            alone["ours"], alone["opendkim"], "1.5"));
        context.Report(new($"{what}, the same Postfix without any milter (the ceiling; ours vs it)", best["ours"], best["none"]));
        context.Report(new($"{what}, messages lost or unsigned (both)", lost, null, "<=0"));
        if (lost != 0)
        {
            throw new RowFailedException($"{lost} messages lost or unsigned");
        }
    }

    /// <summary>
    /// The Postfix queues on tmpfs when there is one: Postfix fsyncs every queue file, and on this VM's disk that,
    /// not Postfix's CPU, was the ceiling both milters hit (the same setup for both, so the ratio stays fair).
    /// </summary>
    private static string QueueFolder(RowContext context)
    {
        try
        {
            var shm = Directory.CreateDirectory(Path.Combine("/dev/shm", "sa-milter." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)))).FullName;
            // Registered first, so it runs after the servers' stops.
            context.Defer(() =>
            {
                Directory.Delete(shm, recursive: true);
                return ValueTask.CompletedTask;
            });
            return shm;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return context.Folder("milter");
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> messages through one Postfix with smtp-source; returns messages delivered per
    /// second and how many were lost or unsigned (the "none" Postfix has no milter: only losses count there).
    /// </summary>
    private static async Task<(double Rate, int Missing)> SendAsync(RowContext context, TestServer postfix, string who, string message, int count,
        string sample, CancellationToken ct)
    {
        var sink = postfix["BENCH_POSTFIX_SINK"];
        foreach (var f in Directory.GetFiles(sink))
        {
            File.Delete(f);
        }
        var sw = Stopwatch.StartNew();
        await Tool.RunAsync("smtp-source", ["-s", Sessions.ToString(CultureInfo.InvariantCulture), "-m", count.ToString(CultureInfo.InvariantCulture),
            "-F", message, "-f", "tickets@mosamuseum.com", "-t", "jane.doe@example.net", postfix["BENCH_POSTFIX_SMTP"]], ct, captureStderr: true).ConfigureAwait(false);
        var got = 0;
        for (var i = 0; i < 1200 && (got = Directory.GetFiles(sink).Length) < count; i++)
        {
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        // The sink creates a file before it has written all of it: give the last ones a moment before reading them.
        await Task.Delay(500, ct).ConfigureAwait(false);
        var files = Directory.GetFiles(sink);
        var signed = who == "none" ? count : files.Count(f => SignedByUs(File.ReadAllText(f)));
        if (got != count || signed != count)
        {
            RowContext.Log($"row_milter: {who}: {got} of {count} delivered, {signed} signed");
        }
        File.Copy(files[0], sample, overwrite: true);
        return (count / seconds, count - Math.Min(got, signed));
    }

    // d= may sit on a folded line: take the whole field, then look for d=mosamuseum.com anywhere in its value.
    private static bool SignedByUs(string text) => DkimField().Match(text) is { Success: true } m && OurDomain().IsMatch(m.Groups[1].Value);

    private static async Task WaitForPortAsync(int port, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, ct).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
        throw new RowFailedException($"nothing listens on 127.0.0.1:{port}");
    }

    [GeneratedRegex(@"^DKIM-Signature:(.*?)\n(?=\S)", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex DkimField();

    [GeneratedRegex(@"\bd=mosamuseum\.com;")]
    private static partial Regex OurDomain();

    [GeneratedRegex("^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): ")]
    private static partial Regex SinkLine();
}
