using System.Diagnostics;

namespace SenderAuth.Tests.Shipped;

/// <summary>
/// The README's own launcher, <c>./senderauth</c>, as users run it: it publishes the server and the CLI in Release
/// into <c>.build/server</c> and <c>.build/cli</c> when a source changed, then runs the server's executable for
/// <c>serve</c> (exec'd: the process a test starts is the server itself) and the CLI for everything else. Every test
/// that starts SenderAuth as a process (the CLI, <c>serve</c>) goes through it, so the suite proves the program that
/// ships, not a copy in the test's output folder (which once served a dashboard that <c>./senderauth serve</c> did not).
/// </summary>
public static class Launcher
{
    private static readonly Lazy<Task> Built = new(BuildAsync);

    /// <summary>The repository root (the folder of the solution and the launcher).</summary>
    public static string Root => SenderAuth.Tests.Interop.PeerTool.RepoRoot;

    public static string Path => System.IO.Path.Combine(Root, "senderauth");

    /// <summary>
    /// Builds once per test run, before the first process starts: a build inside a test's own time budget (a server's
    /// 60 s readiness, a CLI call's 60 s) would fail on a slow machine. run-tests builds it first anyway.
    /// </summary>
    /// <remarks>
    /// The running class must declare <c>[Trait("Needs", "senderauth")]</c> (<see cref="TestNeeds"/>): run-tests builds
    /// the launcher's Release build only for a selection whose classes declare it (scripts/test-plan.py).
    /// </remarks>
    public static Task EnsureBuiltAsync()
    {
        TestNeeds.Require("senderauth");
        return Built.Value;
    }

    /// <summary>A start info for <c>./senderauth ARGS</c>, redirected, colours off; the class must declare the need, as above.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        TestNeeds.Require("senderauth");
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }

    private static async Task BuildAsync()
    {
        using var process = Process.Start(StartInfo(["--version"]))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"./senderauth --version exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
