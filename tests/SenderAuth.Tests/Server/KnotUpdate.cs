using System.Diagnostics;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Server;

/// <summary>Changes a zone on the test Knot with knsupdate (Knot's nsupdate), signed with the test TSIG key: what an institution's DNS host does.</summary>
public static class KnotUpdate
{
    /// <param name="tsig">SENDERAUTH_TEST_TSIG split at ':' (algorithm, key name, secret).</param>
    /// <param name="updates">knsupdate commands, e.g. "update add NAME TTL IN TXT ..." or "update delete ...".</param>
    public static async Task SendAsync(string server, string[] tsig, string zone, IEnumerable<string> updates)
    {
        ArgumentNullException.ThrowIfNull(tsig);
        var endpoint = NetworkDnsResolverOptions.ParseEndpoint(server);
        var script = new System.Text.StringBuilder()
            .AppendLine($"server {endpoint.Address} {endpoint.Port}").AppendLine($"zone {zone}.").AppendLine($"key {tsig[0]}:{tsig[1]} {tsig[2]}");
        foreach (var u in updates)
        {
            script.AppendLine(u);
        }
        script.AppendLine("send").AppendLine("quit");
        using var process = Process.Start(new ProcessStartInfo("knsupdate") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.StandardInput.WriteAsync(script.ToString());
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"knsupdate failed: {error}\n{script}");
    }

    /// <summary>Adds the lines of a master-file fragment (the server's records?format=zone).</summary>
    public static Task AddAsync(string server, string[] tsig, string zone, string fragment) =>
        SendAsync(server, tsig, zone, fragment.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "update add " + l));
}
