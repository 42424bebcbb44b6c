using System.CommandLine;
using SenderAuth.Cli.Commands;

namespace SenderAuth.Cli;

internal static class CliApp
{
    /// <summary>
    /// The engine commands: the engine and DNS only, none of the store's assemblies. They are what the engine CLI
    /// carries (src/SenderAuth.Cli.Engine, Native AOT), and the launcher sends exactly these names to it.
    /// </summary>
    public static IEnumerable<Command> EngineCommands() =>
        [SpfCommand.Create(), DkimCommand.Create(), DmarcCommand.Create(), VerifyCommand.Create(), CheckCommand.Create()];

    /// <summary>
    /// Parses and runs one command line over <paramref name="commands"/>: the full CLI's (Program.cs) or the engine
    /// CLI's, the Native AOT build of the engine commands alone (src/SenderAuth.Cli.Engine).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IEnumerable<Command> commands)
    {
        // Redirected output has no terminal width; tables then use COLUMNS, or a width that keeps rows on one line.
        if (Console.IsOutputRedirected)
        {
            Spectre.Console.AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 40 ? columns : 160;
        }
        var root = new RootCommand("SenderAuth: email authentication for senders (SPF, DKIM, DMARC).\n" + ExitCodes.Help);
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            CliOutput.Error(string.Join("; ", parse.Errors.Select(e => e.Message)) + " (see --help)");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a command body: expected failures become one line on stderr and an exit code, never a stack trace.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            CliOutput.Error(e.Message);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            CliOutput.Error("cancelled");
            return ExitCodes.Internal;
        }
        catch (IOException e)
        {
            CliOutput.Error(e.Message);
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: report, do not crash with a trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            CliOutput.Error($"internal error ({e.GetType().Name}): {e.Message}");
            return ExitCodes.Internal;
        }
    }
}
