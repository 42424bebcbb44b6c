using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SenderAuth.Tests.Shipped;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The server as users start it, <c>./senderauth serve …</c> (the launcher's Release build, see <see cref="Launcher"/>),
/// for what an in-process host cannot show: the shipped program itself, kill -9, restarts on the same data, several
/// instances on one database. Addresses and the first-run operator key are read from what the server prints.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private string? _operatorKey;

    private ServerProcess(Process process, string? operatorKey)
    {
        _process = process;
        _operatorKey = operatorKey;
    }

    /// <summary>The operator key given, or the one the server generated and printed once on its first start.</summary>
    public string OperatorKey => Volatile.Read(ref _operatorKey) ?? throw new InvalidOperationException("the server printed no operator key");

    /// <summary>The built-in DNS server's address as the banner tells it ("zone … (DNS at 127.0.0.1:PORT)"), if it runs one.</summary>
    public string? DnsAddress { get; private set; }

    /// <summary>The milter's address as the banner tells it (e.g. inet:127.0.0.1:PORT), or "off".</summary>
    public string? MilterAddress { get; private set; }

    /// <summary>The HTTP address, as the server itself reports it once listening.</summary>
    public Uri Url => _url ?? throw new InvalidOperationException("the server is not listening yet");

    private Uri? _url;

    /// <summary>The id the server puts in its lease owner name.</summary>
    public int Pid => _process.Id;

    public bool Killed { get; private set; }

    /// <param name="args">From "serve" on; --urls on loopback port 0 is added (the kernel's choice, read back from the
    /// server's "Now listening on" line: a port picked here and bound later could be taken by then).</param>
    /// <param name="operatorKey">SENDERAUTH_OPERATOR_KEY, or null for a first start that generates and prints one.</param>
    /// <param name="masterKey">SENDERAUTH_MASTER_KEY, or null for a key generated into the data folder.</param>
    /// <param name="credentialsDirectory">systemd's $CREDENTIALS_DIRECTORY (LoadCredential=), or null; its operator-key
    /// file, if any, is the key this harness signs in with (the server prints none then).</param>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> args, string? operatorKey, string? masterKey, CancellationToken ct, string? credentialsDirectory = null)
    {
        await Launcher.EnsureBuiltAsync();
        // Several servers run at once: each milter on a free port unless the test chose one.
        var milter = args.Any(a => a.StartsWith("--milter", StringComparison.Ordinal) || a.Contains("Milter:Listen", StringComparison.Ordinal)) ? [] : new[] { "--milter", "inet:127.0.0.1:0" };
        var psi = Launcher.StartInfo(args.Concat(milter).Append("--urls").Append("http://127.0.0.1:0").Append("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"));
        psi.Environment.Remove("SENDERAUTH_OPERATOR_KEY");
        psi.Environment.Remove("SENDERAUTH_MASTER_KEY");
        if (operatorKey is not null)
        {
            psi.Environment["SENDERAUTH_OPERATOR_KEY"] = operatorKey;
        }
        if (masterKey is not null)
        {
            psi.Environment["SENDERAUTH_MASTER_KEY"] = masterKey;
        }
        psi.Environment.Remove("CREDENTIALS_DIRECTORY");
        if (credentialsDirectory is not null)
        {
            psi.Environment["CREDENTIALS_DIRECTORY"] = credentialsDirectory;
            var file = Path.Combine(credentialsDirectory, "operator-key");
            operatorKey ??= File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        var server = new ServerProcess(Process.Start(psi)!, operatorKey);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(ct);
        }
        catch
        {
            // A server that never became ready would otherwise outlive the test (nobody holds it to dispose).
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
        var at = line.IndexOf(ListeningOn, StringComparison.Ordinal);
        if (at >= 0 && _url is null)
        {
            // The address ends at a space or, in a JSON log line (Logging:Format=json), at the closing quote.
            var url = line[(at + ListeningOn.Length)..].Trim();
            Volatile.Write(ref _url, new Uri(url.Split('"', ' ')[0]));
        }
        ReadBanner(line);
    }

    /// <summary>The lines of the banner that <c>serve</c> prints once started (ServerApp.PrintBanner).</summary>
    private void ReadBanner(string line)
    {
        const string zone = "  zone ", dnsAt = "(DNS at ", milter = "  milter ", key = "operator key (shown once, store it now): ";
        if (line.StartsWith(zone, StringComparison.Ordinal) && line.IndexOf(dnsAt, StringComparison.Ordinal) is var d and >= 0)
        {
            DnsAddress = line[(d + dnsAt.Length)..].TrimEnd(')');
        }
        else if (line.StartsWith(milter, StringComparison.Ordinal))
        {
            MilterAddress = line[milter.Length..].Trim().Split(' ')[0];
        }
        else if (line.IndexOf(key, StringComparison.Ordinal) is var k and >= 0)
        {
            Volatile.Write(ref _operatorKey, line[(k + key.Length)..].Trim());
        }
    }

    /// <summary>Kestrel's start-up line (Microsoft.Hosting.Lifetime), the one place the bound port is told.</summary>
    private const string ListeningOn = "Now listening on: ";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public string LogTail(int lines)
    {
        var all = Log.Split('\n');
        return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
    }

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return client;
    }

    /// <summary>
    /// Waits for the listening line, then polls /ready until it says Healthy: the database opened (and migrated) and
    /// the zone was published.
    /// </summary>
    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        var last = "not listening yet";
        // Generous: a restart in the middle of the full suite competes with every other test for two cores.
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the server exited with {_process.ExitCode} before it was ready:\n{Log}");
            }
            if (Volatile.Read(ref _url) is not { } url)
            {
                await Task.Delay(100, ct);
                continue;
            }
            try
            {
                using var r = await http.GetAsync(new Uri(url, "/ready"), ct);
                last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}";
                // Ready, and the banner printed (it follows start-up): its addresses and key are what a user reads.
                if (r.StatusCode == HttpStatusCode.OK && last.EndsWith("Healthy", StringComparison.Ordinal) && Volatile.Read(ref _operatorKey) is not null && MilterAddress is not null)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // One slow answer from a server still warming up is no reason to give up the 60 s.
                last = "no answer within 10 s";
            }
            await Task.Delay(100, ct);
        }
        Assert.Fail($"the server was not ready within 60 s (last /ready: {last}):\n{Log}");
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no shutdown, no flush, no lease released, as a crash.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
        Killed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }
}
