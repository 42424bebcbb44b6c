using SenderAuth.Cli;
using SenderAuth.Cli.Commands;

// serve without --help bypasses the parser: its arguments are the server's configuration.
if (ServeCommand.Handles(args))
{
    return await ServeCommand.RunAsync(args).ConfigureAwait(false);
}
return await CliApp.RunAsync(args,
[
    .. CliApp.EngineCommands(), ReportCommand.Create(), ServeCommand.Create(), StatusCommand.Create(), AuditCommand.Create(),
    BackupCommand.Create(), BackupRestoreCommand.Create(), ConfigReferenceCommand.Create(),
]).ConfigureAwait(false);
