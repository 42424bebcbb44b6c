using System.CommandLine;

namespace SenderAuth.Cli;

internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("SenderAuth: email authentication for senders (SPF, DKIM, DMARC).");
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
