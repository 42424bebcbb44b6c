using System.Collections.Concurrent;
using System.Diagnostics;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests;

/// <summary>
/// The real servers of tests/servers (Knot, unbound, PostgreSQL, Dovecot, Postfix), each started the first time a
/// test asks for one of its SENDERAUTH_TEST_* values, once per test run: `./run-tests --filter Spf` starts none,
/// a Postfix test starts Postfix. Each start.sh prints KEY=VALUE lines, which become this process's environment
/// (so child processes see them too). A value already in the environment wins: servers started by hand are used.
/// Servers are started in $SENDERAUTH_TEST_WORK/NAME (run-tests sets it and stops whatever it finds there), or in
/// a temp folder, stopped when the test process exits. A class that uses a server declares it with
/// [Trait("Needs", NAME)], which is how run-tests knows what to install for a filtered run (scripts/test-plan.py).
/// </summary>
public static class TestServers
{
    /// <summary>Which server prints which variable (tests/servers/*/start.sh).</summary>
    private static readonly Dictionary<string, string> Owner = new(StringComparer.Ordinal)
    {
        ["SENDERAUTH_TEST_DNS"] = "knot",
        ["SENDERAUTH_TEST_TSIG"] = "knot",
        ["SENDERAUTH_TEST_DYNZONE"] = "knot",
        ["SENDERAUTH_TEST_INSTITUTION_ZONE"] = "knot",
        ["SENDERAUTH_TEST_SERVER_ZONE"] = "knot",
        ["SENDERAUTH_TEST_KNOT_CONTROL"] = "knot",
        ["SENDERAUTH_TEST_VALIDATOR"] = "unbound",
        ["SENDERAUTH_TEST_DNSSEC_AUTH"] = "unbound",
        ["SENDERAUTH_TEST_TRUST_ANCHOR"] = "unbound",
        ["SENDERAUTH_TEST_POSTGRES"] = "postgres",
        ["SENDERAUTH_TEST_IMAP"] = "dovecot",
        ["SENDERAUTH_TEST_IMAP_USERS"] = "dovecot",
        ["SENDERAUTH_TEST_IMAP_PASSWORD"] = "dovecot",
        ["SENDERAUTH_TEST_POSTFIX_SMTP"] = "postfix",
        ["SENDERAUTH_TEST_POSTFIX_QUEUE"] = "postfix",
        ["SENDERAUTH_TEST_POSTFIX_SINK"] = "postfix",
        ["SENDERAUTH_TEST_POSTFIX_CONFIG"] = "postfix",
        ["SENDERAUTH_TEST_MILTER"] = "postfix",
    };

    private static readonly ConcurrentDictionary<string, Lazy<Started>> Servers = new(StringComparer.Ordinal);

    private static readonly Lazy<string> Work = new(() =>
    {
        if (Environment.GetEnvironmentVariable("SENDERAUTH_TEST_WORK") is { Length: > 0 } given)
        {
            return given;
        }
        var own = Directory.CreateTempSubdirectory("sa-servers-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll(own);
        return own;
    });

    private sealed record Started(string? Failure);

    /// <summary>
    /// The value of a SENDERAUTH_TEST_* variable, starting its server first if need be; null when the server could
    /// not start (not installed: run ./run-tests, which installs it). <see cref="Why"/> says what failed.
    /// </summary>
    /// <remarks>
    /// The running test's class must declare the server with <c>[Trait("Needs", NAME)]</c> (NAME as in
    /// tests/servers): `./run-tests --filter …` installs only the packages of what the selected classes declare
    /// (scripts/test-plan.py), so an undeclared use would work in the full run and fail on a fresh machine in a
    /// filtered one. Checked here (<see cref="TestNeeds.Require"/>), on every call, so the omission fails at once and in
    /// every run. There is no unchecked way in: a host that can do without a server asks <see cref="TestNeeds.Declares"/>
    /// first (ServerHost's resolver).
    /// </remarks>
    public static string? Get(string name)
    {
        if (!Owner.TryGetValue(name, out var server))
        {
            return Environment.GetEnvironmentVariable(name);
        }
        TestNeeds.Require(server);
        return Value(name, server);
    }

    /// <summary>Starts the server of <paramref name="name"/> (once) unless the environment already has the value.</summary>
    private static string? Value(string name, string server)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
        {
            return value;
        }
        _ = Servers.GetOrAdd(server, s => new Lazy<Started>(() => Start(s))).Value;
        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } started ? started : null;
    }

    /// <summary>Why a variable has no value: its server's start failure, for a skip reason.</summary>
    public static string Why(string name) =>
        Owner.TryGetValue(name, out var server) && Servers.TryGetValue(server, out var s) && s.IsValueCreated && s.Value.Failure is { } failure
            ? $"the {server} test server did not start ({failure}): run ./run-tests, which installs it"
            : $"{name} is unset: run ./run-tests";

    private static Started Start(string server)
    {
        var dir = Path.Combine(Work.Value, server);
        Directory.CreateDirectory(dir);
        var script = Path.Combine(PeerTool.RepoRoot, "tests", "servers", server, "start.sh");
        // stderr to a file: a daemon that inherited a pipe would keep it open and a reader waiting for ever.
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "exec \"$0\" \"$1\" 2>>\"$1.log\"", script, dir })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var log = File.Exists(dir + ".log") ? File.ReadAllLines(dir + ".log").TakeLast(5) : [];
            return new Started($"start.sh exited {process.ExitCode}: {string.Join(" | ", log)}");
        }
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Split('=', 2) is [var key, var value] && key.StartsWith("SENDERAUTH_", StringComparison.Ordinal))
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
        return new Started(null);
    }

    private static void StopAll(string work)
    {
        foreach (var server in Servers.Keys)
        {
            using var stop = Process.Start(new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(PeerTool.RepoRoot, "tests", "servers", server, "stop.sh"), Path.Combine(work, server) }, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
            stop?.WaitForExit(30_000);
        }
    }
}
