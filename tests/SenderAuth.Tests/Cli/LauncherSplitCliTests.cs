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

        // The usage line names the executable that answered.
        foreach (var command in new[] { "spf", "dkim", "dmarc", "verify", "check" })
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, command, "--help");
            Assert.True(exit == 0, stderr);
            Assert.Contains($"SenderAuth.Cli.Engine {command}", stdout, StringComparison.Ordinal);
        }
        foreach (var command in new[] { "report", "status", "audit", "backup", "restore", "config-reference", "serve" })
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, command, "--help");
            Assert.True(exit == 0, stderr);
            Assert.Contains($"SenderAuth.Cli {command}", stdout, StringComparison.Ordinal);
        }
    }
}
