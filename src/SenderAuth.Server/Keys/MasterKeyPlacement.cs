using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Keys;

/// <summary>
/// Once the server listens: a warning when the master key is the generated <c>master.key</c> in the data folder
/// while the API is reachable from other hosts. A copy of the data folder (a backup, a stolen disk) then holds the
/// sealed keys and the key that opens them together; on one's own machine (loopback only) that is the point of the
/// zero-setup default, anywhere else SENDERAUTH_MASTER_KEY belongs in a secret store.
/// </summary>
public sealed partial class MasterKeyPlacement(IServer server, IHostApplicationLifetime lifetime, IOptions<ServerOptions> options, ILogger<MasterKeyPlacement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var o = options.Value;
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (Warning(o.MasterKey is not null, o.DataDirectory, addresses) is { } warning)
            {
                LogMasterKeyBesideData(logger, warning);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The warning's text, or null: the key is configured, not in the data folder, or every address is loopback.</summary>
    public static string? Warning(bool configured, string dataDirectory, IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var file = Path.Combine(Path.GetFullPath(dataDirectory), "master.key");
        if (configured || !File.Exists(file))
        {
            return null;
        }
        var open = addresses.Where(a => !IsLoopback(a)).ToList();
        return open.Count == 0 ? null
            : $"the master key is {file}, in the data folder beside the database it protects, and the server listens on {string.Join(", ", open)}: "
              + "anyone with a copy of the data folder can open every private key. Set SENDERAUTH_MASTER_KEY from a secret store (and remove the file)";
    }

    /// <summary>Whether a Kestrel address (http://127.0.0.1:8080, http://[::1]:80, http://localhost:5000) is loopback only.</summary>
    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (uri.IsLoopback)
        {
            return true;
        }
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    [LoggerMessage(EventId = LogEvents.Keys + 1, Level = LogLevel.Warning, Message = "Master key placement: {Warning}")]
    private static partial void LogMasterKeyBesideData(ILogger logger, string warning);
}
