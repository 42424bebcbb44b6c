using SenderAuth.Json;
using System.CommandLine;
using SenderAuth.Store.Data.Backup;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth backup DEST</c>: a consistent copy of a server's data while it runs (SQLite's online backup, or
/// pg_dump for PostgreSQL) with the data-folder files the database does not hold, and a manifest with checksums.
/// The work is in <see cref="DataBackup"/> (the store's code): this is its command line and output.
/// </summary>
internal static class BackupCommand
{
    public const string BackupExitCodes = "Exit codes: 0 backed up, 1 PostgreSQL without pg_dump on PATH (the files are copied; the pg_dump command to run is printed), "
        + "2 bad usage (DEST not empty or inside the data folder, no database, an invalid server configuration), 3 the database could not be read (PostgreSQL down, pg_dump failed), 70 internal error.";

    public static Command Create()
    {
        var destination = new Argument<string>("DEST") { Description = "A new or empty folder for the backup (made 0700; files 0600)." };
        var data = new Option<string>("--data") { Description = "The server's data folder (default ./data, as serve; or SenderAuth__DataDirectory)." };
        var database = new Option<string>("--database") { Description = "sqlite (default) or postgres (or SenderAuth__Database)." };
        var connection = new Option<string>("--connection-string") { Description = "PostgreSQL connection string (Npgsql form) with --database postgres (or SenderAuth__ConnectionString)." };
        var json = new Option<bool>("--json") { Description = "Print the manifest (and what is left to do) as JSON." };
        var command = new Command("backup", "Back up a server's data while it runs: the database (SQLite online backup; PostgreSQL: pg_dump, run when on PATH), "
            + "the master key and key ring in the data folder, and manifest.json (versions, migration, SHA-256 of every file). See docs/backup.md.\n" + BackupExitCodes);
        command.Arguments.Add(destination);
        foreach (var o in new Option[] { data, database, connection, json })
        {
            command.Options.Add(o);
        }
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            // The database as serve and report --db find it: the switches over the SenderAuth__… environment variables.
            var options = CliStore.Options(new StoreTarget(parse.GetValue(data), parse.GetValue(database), parse.GetValue(connection)));
            var source = new BackupSource(options.DataDirectory, options.Database, options.ConnectionString);
            BackupResult result;
            try
            {
                result = await DataBackup.CreateAsync(source, parse.GetValue(destination)!, ct).ConfigureAwait(false);
            }
            catch (BackupException e)
            {
                CliOutput.Error(e.Message);
                return ExitCode(e.Kind);
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(BackupView.From(result));
            }
            else
            {
                var m = result.Manifest;
                Console.WriteLine($"backed up to {Path.GetFullPath(parse.GetValue(destination)!)}: {SenderAuthJson.Token(m.Database)} at migration {m.Migration ?? "(none)"}, {m.Files.Count} files, {m.Files.Sum(f => f.Bytes)} bytes");
                foreach (var s in result.Skipped)
                {
                    Console.WriteLine($"  not copied: {s}");
                }
            }
            if (!result.Manifest.MasterKeyIncluded)
            {
                CliOutput.Error("the master key is not in this backup (SENDERAUTH_MASTER_KEY): keep it with the backup, or its DKIM keys and webhook secrets cannot be opened");
            }
            if (result.PendingCommand is { } pending)
            {
                CliOutput.Error($"pg_dump is not on PATH: the database is not in this backup yet, which is marked unfinished ({BackupManifest.IncompleteFileName}, no {BackupManifest.FileName}: restore refuses it); run: {pending}; then rename {BackupManifest.IncompleteFileName} to {BackupManifest.FileName}");
                return ExitCodes.Negative;
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static int ExitCode(BackupError kind) => kind switch
    {
        BackupError.Unavailable => ExitCodes.Unavailable,
        _ => ExitCodes.Usage,
    };
}
