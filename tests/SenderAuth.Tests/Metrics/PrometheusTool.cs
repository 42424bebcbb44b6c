using System.Diagnostics;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Metrics;

/// <summary>Debian's prometheus and promtool, as ./run-tests installs them (apt package <c>prometheus</c>).</summary>
internal static class PrometheusTool
{
    public static string Rules => Path.Combine(PeerTool.RepoRoot, "deploy", "prometheus", "alerts.yml");

    /// <summary>
    /// Skips the running test, with the reason, when Debian's prometheus package is not installed; fails it when its
    /// class does not declare <c>[Trait("Needs", "prometheus")]</c> (<see cref="TestNeeds"/>). Called before every use.
    /// </summary>
    public static void RequireInstalled()
    {
        TestNeeds.Require("prometheus");
        if (!File.Exists("/usr/bin/prometheus") || !File.Exists("/usr/bin/promtool"))
        {
            Assert.Skip("prometheus and promtool are not installed (Debian package prometheus): run ./run-tests, which installs them");
        }
    }

    /// <summary>Runs a program to its end; its exit code and what it printed (stdout then stderr).</summary>
    public static async Task<(int Code, string Output)> RunAsync(string program, string workingDirectory, CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
