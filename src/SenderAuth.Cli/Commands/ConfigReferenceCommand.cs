using System.CommandLine;
using System.Diagnostics;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth config-reference</c>: prints docs/configuration.md, every server setting with its type, default,
/// range and environment-variable form. The options classes and their XML doc comments are the server's, which the
/// CLI does not carry, so the server's executable prints it (<c>SenderAuth.Server config-reference</c>, found as
/// <c>serve</c> finds it); its output and exit code are this command's.
/// </summary>
internal static class ConfigReferenceCommand
{
    public static Command Create()
    {
        var command = new Command("config-reference", "Print the reference of every server setting (Markdown: key, type, default, range, environment variable, description), as in docs/configuration.md.\n"
            + "Regenerate the docs with: " + ConfigurationDocs.RegenerateCommand + "\nExit codes: 0 printed, 70 internal error.");
        command.SetAction((_, _) => CliApp.Guard(async () =>
        {
            var exe = ServeCommand.ServerExecutable() ?? throw new UsageException(
                "the server (SenderAuth.Server) is not installed beside the CLI: run ./senderauth config-reference, which builds both");
            // stdout not redirected: the child writes straight to this process's (the file of `> docs/configuration.md`).
            using var server = Process.Start(new ProcessStartInfo(exe, ["config-reference"]) { UseShellExecute = false })
                ?? throw new InvalidOperationException($"{exe} did not start");
            await server.WaitForExitAsync().ConfigureAwait(false);
            return server.ExitCode;
        }));
        return command;
    }
}
