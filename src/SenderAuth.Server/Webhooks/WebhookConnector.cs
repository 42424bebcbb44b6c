using System.Net;
using System.Net.Sockets;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// The webhook client's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host itself, drops every
/// address <see cref="WebhookAddressPolicy"/> refuses, and connects only to the rest. The check sits on the socket
/// actually opened, so it holds after DNS (a name resolving to 127.0.0.1), against DNS rebinding between a check and
/// the connect, and on every attempt and retry; redirects are not followed at all (<see cref="WebhooksFeature"/>).
/// </summary>
public sealed class WebhookConnector(WebhookAddressPolicy policy)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await System.Net.Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        var refused = new List<string>();
        var allowed = new List<IPAddress>();
        foreach (var address in addresses)
        {
            if (policy.Refusal(address) is { } why)
            {
                refused.Add($"{address} is {why}");
            }
            else
            {
                allowed.Add(address);
            }
        }
        if (allowed.Count == 0)
        {
            throw new WebhookAddressRefusedException(host, refused.Count == 0 ? $"{host} has no address" : string.Join("; ", refused));
        }
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

/// <summary>Every address of a webhook's host is one the policy refuses: nothing was connected.</summary>
public sealed class WebhookAddressRefusedException(string host, string detail)
    : Exception($"webhook host {host} refused by policy: {detail} (allow a network in SenderAuth:Notifications:AllowedNetworks)")
{
    public string Host { get; } = host;
}
