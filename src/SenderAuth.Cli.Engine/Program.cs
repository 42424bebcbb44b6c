using SenderAuth.Cli;

return await CliApp.RunAsync(args, CliApp.EngineCommands()).ConfigureAwait(false);
