using System.CommandLine;
using SenderAuth.Server.Hosting;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth config-reference</c>: prints docs/configuration.md, every server setting with its type, default,
/// range and environment-variable form, generated from the options classes (<see cref="ConfigurationReference"/>).
/// </summary>
internal static class ConfigReferenceCommand
{
    public static Command Create()
    {
        var command = new Command("config-reference", "Print the reference of every server setting (Markdown: key, type, default, range, environment variable, description), as in docs/configuration.md.\n"
            + "Regenerate the docs with: " + ConfigurationReference.Command + "\nExit codes: 0 printed, 70 internal error.");
        command.SetAction((_, _) => CliApp.Guard(async () =>
        {
            await Console.Out.WriteAsync(ConfigurationReference.Markdown()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
