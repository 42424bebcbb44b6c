return await SenderAuth.Server.ServerApp.RunAsync(args).ConfigureAwait(false);
