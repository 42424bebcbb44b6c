using SenderAuth.Tests.Shipped;

namespace SenderAuth.Tests.Cli;

/// <summary>
/// The launcher's split (<c>./senderauth</c>, issue 25): the engine commands run on the engine CLI, a Native AOT build
/// of those commands alone (.build/cli-engine), every other command and the top-level help on the full CLI
/// (.build/cli, ReadyToRun, with the store). run-tests runs as root here, so the launcher can install clang and zlib
/// and must have built the native one; its fallback without them is the full CLI for everything.
/// </summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public class LauncherSplitCliTests
{
    private static string EngineCli => Path.Combine(Launcher.Root, ".build", "cli-engine", "SenderAuth.Cli.Engine");

    [Fact]
    public async Task TopLevelHelp_ListsEveryCommand()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "--help");

        Assert.True(exit == 0, stderr);
        foreach (var command in new[] { "spf", "dkim", "dmarc", "verify", "check", "report", "serve", "status", "audit", "backup", "restore", "config-reference" })
        {
            Assert.Matches($@"(?m)^\s+{command}\b", stdout);
        }
    }

    [Fact]
    public async Task EngineCommands_RunOnTheNativeBuild_OthersOnTheFullCli()
    {
        await Launcher.EnsureBuiltAsync();
        Assert.True(File.Exists(EngineCli), $"{EngineCli} was not built (the launcher needs clang and zlib1g-dev, and installs them as root)");
        // Native code: an ELF executable, and no managed assembly of ours beside it to JIT-compile.
        var magic = new byte[4];
        await using (var file = File.OpenRead(EngineCli))
        {
            await file.ReadExactlyAsync(magic, TestContext.Current.CancellationToken);
        }
        Assert.Equal("\u007fELF"u8.ToArray(), magic);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(EngineCli)!, "*.dll"));

        // The launcher execs: the process it started is the program that answers. spf --batch waits for its input.
        await Launcher.EnsureBuiltAsync();
        var psi = Launcher.StartInfo(["spf", "--batch", "--zone", CliRunner.Zone("spf.zone")]);
        psi.RedirectStandardInput = true;
        using var batch = System.Diagnostics.Process.Start(psi)!;
        var stdout = batch.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var exe = await ExecutableAsync(batch.Id, EngineCli);
        batch.StandardInput.Close();
        await batch.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EngineCli, exe);
        Assert.Equal(0, batch.ExitCode);
        Assert.Equal(string.Empty, await stdout);

        // The engine CLI does not know the store's commands: the launcher sends them to the full CLI.
        var (engineExit, _, engineErr) = await RunEngineAsync("report", "summary");
        Assert.NotEqual(0, engineExit);
        Assert.Contains("report", engineErr, StringComparison.Ordinal);
        foreach (var command in new[] { "report", "status", "audit", "backup", "restore", "config-reference", "serve" })
        {
            var (exit, help, stderr) = await CliRunner.RunAsync(null, command, "--help");
            Assert.True(exit == 0, stderr);
            Assert.Contains($" {command} ", help, StringComparison.Ordinal);
        }
    }

    /// <summary>/proc/PID/exe once the launcher (bash) has exec'd into <paramref name="expected"/>, or what it is after 30 s.</summary>
    private static async Task<string> ExecutableAsync(int pid, string expected)
    {
        var link = $"/proc/{pid}/exe";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? exe = null;
        while (DateTime.UtcNow < deadline)
        {
            exe = File.ResolveLinkTarget(link, returnFinalTarget: false)?.FullName;
            if (exe == expected)
            {
                break;
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        return exe ?? "(none)";
    }

    private static async Task<(int Exit, string Out, string Err)> RunEngineAsync(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(EngineCli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
