using System.CommandLine;
using SenderAuth.Cli.Commands;

namespace SenderAuth.Cli;

internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Redirected output has no terminal width; tables then use COLUMNS, or a width that keeps rows on one line.
        if (Console.IsOutputRedirected)
        {
            Spectre.Console.AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 40 ? columns : 160;
        }
        var root = new RootCommand("SenderAuth: email authentication for senders (SPF, DKIM, DMARC).\n" + ExitCodes.Help);
        root.Subcommands.Add(SpfCommand.Create());
        root.Subcommands.Add(DkimCommand.Create());
        root.Subcommands.Add(DmarcCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(BackupRestoreCommand.Create());
        root.Subcommands.Add(ConfigReferenceCommand.Create());
        if (ServeCommand.Handles(args))
        {
            return await ServeCommand.RunAsync(args).ConfigureAwait(false);
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
