return await SenderAuth.Server.ServerApp.RunAsync(args).ConfigureAwait(false);

/// <summary>The entry point; public so that WebApplicationFactory&lt;Program&gt; can start the server in tests.</summary>
public partial class Program;
