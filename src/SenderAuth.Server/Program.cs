using Microsoft.Extensions.Hosting;

// `senderauth serve` runs this program (the launcher starts it directly). Its exit codes are serve's: 0 stopped,
// 2 invalid configuration or an address in use, 70 internal error; a failure is one line on stderr, never a trace.
try
{
    return await SenderAuth.Server.ServerApp.RunAsync(args).ConfigureAwait(false);
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"senderauth: {e.Message}").ConfigureAwait(false);
    return 2;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("senderauth: cancelled").ConfigureAwait(false);
    return 70;
}
#pragma warning disable CA1031 // The server's last line of defence: report, do not crash with a trace.
catch (Exception e) when (e is not HostAbortedException)
#pragma warning restore CA1031
{
    // HostAbortedException is how WebApplicationFactory stops this entry point once it has the host: not a failure.
    await Console.Error.WriteLineAsync($"senderauth: internal error ({e.GetType().Name}): {e.Message}").ConfigureAwait(false);
    return 70;
}
