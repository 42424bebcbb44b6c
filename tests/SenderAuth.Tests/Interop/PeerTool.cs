using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace SenderAuth.Tests.Interop;

/// <summary>One line of a peer driver's answer (tests/peers/*): sign gives Ok/Signature, verify gives Result/Reason.</summary>
public sealed record PeerAnswer(bool Ok, string? Error, string? Signature, string? Result, string? Reason, string[]? Algorithms, string[]? Commands = null);

/// <summary>One DKIM signature as a peer's receiver-side check saw it.</summary>
public sealed record PeerDkimResult(string Result, string? Domain, string? Selector, string? Reason);

/// <summary>
/// A peer's answer to <c>authenticate</c> (SPF, DKIM and DMARC as a receiving MTA would run them): the result
/// tokens, DMARC's policy after its options (<c>DmarcPolicy</c>) and why DMARC was not evaluated, if it was not.
/// </summary>
public sealed record PeerAuthentication(bool Ok, string? Error, string? Spf, string? SpfDomain, PeerDkimResult[]? Dkim,
    string? Dmarc, string? DmarcPolicy, string? DmarcPolicyProperty, string? DmarcSkipReason, string[]? Queries, string? Header);

/// <summary>
/// A DKIM implementation we compare against, run through its driver in tests/peers/ (installed by run-tests).
/// Every call is one process that prints one JSON line per answer.
/// </summary>
public sealed class PeerTool
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private static readonly ConcurrentDictionary<string, Lazy<Task<(PeerAnswer?, string?)>>> Probes = new();

    private readonly string _file;
    private readonly string[] _prefix;

    private PeerTool(string name, string file, params string[] prefix)
    {
        Name = name;
        _file = file;
        _prefix = prefix;
    }

    public string Name { get; }

    /// <summary>The peers' names, in the order the tests list them.</summary>
    public static readonly string[] Names = ["dkimpy", "mailauth", "opendkim"];

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Where run-tests puts what it builds and installs (mailauth, the libopendkim harness).</summary>
    public static string ToolsDir { get; } = Environment.GetEnvironmentVariable("SENDERAUTH_PEERS_DIR") is { Length: > 0 } d
        ? d : Path.Combine(RepoRoot, ".tools");

    /// <summary>A peer by name; the running class must declare <c>[Trait("Needs", "peers")]</c> (<see cref="TestNeeds"/>).</summary>
    public static PeerTool Get(string name)
    {
        TestNeeds.Require("peers");
        var peers = Path.Combine(RepoRoot, "tests", "peers");
        return name switch
        {
            // Debian's dkim module is only visible to Debian's interpreter (a pyenv python3 may come first on PATH).
            "dkimpy" => new PeerTool(name, "/usr/bin/python3", Path.Combine(peers, "dkimpy_tool.py")),
            "mailauth" => new PeerTool(name, "node", Path.Combine(peers, "mailauth_tool.mjs")),
            "opendkim" => new PeerTool(name, Path.Combine(ToolsDir, "opendkim_tool")),
            _ => throw new ArgumentException($"unknown peer {name}", nameof(name)),
        };
    }

    /// <summary>
    /// Skips the running test, with the reason, when this peer is not installed or lacks the algorithm: a test
    /// that cannot reach its peer must show up as skipped, never as passed.
    /// </summary>
    public async Task RequireAsync(string algorithm)
    {
        if (await WhyNotAsync(algorithm) is { } why)
        {
            Assert.Skip(why);
        }
    }

    /// <summary>Skips the running test, with the reason, when this peer is not installed or has no such command.</summary>
    public async Task RequireCommandAsync(string command)
    {
        var (probe, why) = await CachedProbeAsync();
        if (probe is null)
        {
            Assert.Skip(why!);
        }
        if (probe.Commands?.Contains(command) != true)
        {
            Assert.Skip($"{Name}'s driver has no {command} command (its probe lists: {string.Join(", ", probe.Commands ?? [])})");
        }
    }

    /// <summary>
    /// Runs the peer's whole receiver-side check (mailauth's <c>authenticate</c>) on one message file, with DNS
    /// answered from the JSON zone file (name → {TXT, A, MX, CNAME, …}).
    /// </summary>
    public async Task<PeerAuthentication> AuthenticateAsync(string message, string jsonDns, string ip, string helo, string sender)
    {
        var lines = await RunLinesAsync("authenticate", "--dns", jsonDns, "--ip", ip, "--helo", helo, "--sender", sender, message);
        var a = JsonSerializer.Deserialize<PeerAuthentication>(Assert.Single(lines), Json)!;
        Assert.True(a.Ok, $"{Name} could not authenticate {Path.GetFileName(message)}: {a.Error}");
        return a;
    }

    /// <summary>Null when this peer is installed and has the algorithm; otherwise why not.</summary>
    public async Task<string?> WhyNotAsync(string algorithm)
    {
        var (probe, why) = await CachedProbeAsync();
        return probe is null ? why
            : probe.Algorithms?.Contains(algorithm) == true ? null
            : $"{Name} here is built without {algorithm} (its probe lists: {string.Join(", ", probe.Algorithms ?? [])})";
    }

    /// <summary>The probe's answer, once per run; a probe that threw (a timeout on a loaded host) is tried again next time.</summary>
    private async Task<(PeerAnswer?, string?)> CachedProbeAsync()
    {
        var probe = Probes.GetOrAdd(Name, _ => new Lazy<Task<(PeerAnswer?, string?)>>(ProbeAsync));
        try
        {
            return await probe.Value;
        }
        catch
        {
            Probes.TryRemove(new KeyValuePair<string, Lazy<Task<(PeerAnswer?, string?)>>>(Name, probe));
            throw;
        }
    }

    private async Task<(PeerAnswer?, string?)> ProbeAsync()
    {
        try
        {
            var answers = await RunAsync("probe");
            return answers is [{ Ok: true } probe] ? (probe, null)
                : (null, $"{Name} is not usable here ({answers.FirstOrDefault()?.Error ?? "no answer"}); ./run-tests installs it");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or JsonException)
        {
            return (null, $"{Name} is not installed ({e.Message}); ./run-tests installs it");
        }
    }

    /// <summary>Signs a message file; returns the DKIM-Signature field (CRLF line ends) to put in front of it.</summary>
    public async Task<string> SignAsync(string message, string keyFile, string domain, string selector, string algorithm, string canon)
    {
        var answers = await RunAsync("sign", "--key", keyFile, "--domain", domain, "--selector", selector,
            "--algorithm", algorithm, "--canon", canon, message);
        var a = Assert.Single(answers);
        Assert.True(a.Ok, $"{Name} could not sign {Path.GetFileName(message)}: {a.Error}");
        return a.Signature!;
    }

    /// <summary>Verifies the first signature of each message file; one answer per file, in order.</summary>
    public async Task<IReadOnlyList<PeerAnswer>> VerifyAsync(string jsonDns, string keyFileDns, params string[] messages)
    {
        // libopendkim reads keys from its own file format (DKIM_QUERY_FILE); the other drivers read the JSON.
        var dns = Name == "opendkim" ? keyFileDns : jsonDns;
        var answers = await RunAsync(["verify", "--dns", dns, .. messages]);
        Assert.True(answers.Count == messages.Length, $"{Name} gave {answers.Count} answers for {messages.Length} messages: {answers.FirstOrDefault()?.Error}");
        return answers;
    }

    private async Task<List<PeerAnswer>> RunAsync(params string[] args) =>
        [.. (await RunLinesAsync(args)).Select(l => JsonSerializer.Deserialize<PeerAnswer>(l, Json)!)];

    private async Task<string[]> RunLinesAsync(params string[] args)
    {
        var start = new ProcessStartInfo(_file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in _prefix.Concat(args))
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["SENDERAUTH_MAILAUTH_DIR"] = Path.Combine(ToolsDir, "node");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {_file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(_file)} {string.Join(' ', args.Take(1))} gave no answer within 120 s: {(await stderr).Trim()}");
        }
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(_file)} exited {process.ExitCode} without an answer: {(await stderr).Trim()}");
        }
        return lines;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SenderAuth.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("SenderAuth.slnx not found above " + AppContext.BaseDirectory);
    }
}
