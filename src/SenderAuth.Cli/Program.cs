using SenderAuth.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
