using SenderAuth.Json;
using System.CommandLine;
using SenderAuth.Store.Data.Backup;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth restore SRC --data DIR</c>: a backup into a data folder, every checksum verified before anything is
/// written (<see cref="DataRestore"/>). The server then starts on DIR and upgrades the schema if the backup is older.
/// </summary>
internal static class BackupRestoreCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SRC") { Description = "A folder made by senderauth backup." };
        var data = new Option<string>("--data") { Description = "The data folder to restore into: new or empty (made 0700; files 0600).", Required = true };
        var force = new Option<bool>("--force") { Description = "Restore into a folder that holds files: its database is replaced, other files overwritten. Stop the server on it first." };
        var json = new Option<bool>("--json") { Description = "Print what was restored as JSON." };
        var command = new Command("restore", "Restore a backup made by senderauth backup into a data folder, after checking every file against the manifest's SHA-256. "
            + "For PostgreSQL, load the backup's senderauth.sql with psql (printed). See docs/backup.md.\n"
            + "Exit codes: 0 restored, 2 bad usage (the folder is not empty and no --force) or a damaged or unfinished backup (a file missing or altered, a PostgreSQL dump never run: nothing restored), 3 a restored file did not read back, 70 internal error.");
        command.Arguments.Add(source);
        foreach (var o in new Option[] { data, force, json })
        {
            command.Options.Add(o);
        }
        command.SetAction((parse, ct) => CliApp.Guard(() =>
        {
            RestoreResult result;
            try
            {
                result = DataRestore.Run(parse.GetValue(source)!, parse.GetValue(data)!, parse.GetValue(force));
            }
            catch (BackupException e)
            {
                CliOutput.Error(e.Message);
                return Task.FromResult(BackupCommand.ExitCode(e.Kind));
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(RestoreView.From(result));
            }
            else
            {
                var m = result.Manifest;
                Console.WriteLine($"restored {result.Restored.Count} files into {Path.GetFullPath(parse.GetValue(data)!)}: {SenderAuthJson.Token(m.Database)} at migration {m.Migration ?? "(none)"}, backed up {m.CreatedAt:yyyy-MM-dd HH:mm:ss}Z by {m.SenderAuthVersion}");
                if (result.PendingCommand is { } pending)
                {
                    Console.WriteLine($"  load the database: {pending}");
                }
                if (!m.MasterKeyIncluded)
                {
                    Console.WriteLine("  the backup holds no master key: start the server with the SENDERAUTH_MASTER_KEY it used");
                }
            }
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
