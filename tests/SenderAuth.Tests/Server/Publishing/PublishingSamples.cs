using System.Net;
using System.Security.Cryptography;
using DnsClient;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>Provider zones for the publisher tests, and a plain DNS client to ask servers what they serve.</summary>
internal static class PublishingSamples
{
    /// <summary>A real 4096-bit RSA DKIM key record, split at 255 bytes as the engine publishes it.</summary>
    public static readonly Lazy<IReadOnlyList<string>> Rsa4096Txt = new(() =>
    {
        using var rsa = RSA.Create(4096);
        return Split("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
    });

    public static IReadOnlyList<string> Split(string value) =>
        [.. Enumerable.Range(0, (value.Length + 254) / 255).Select(i => value.Substring(i * 255, Math.Min(255, value.Length - i * 255)))];

    /// <summary>DKIM keys under _domainkey (so _domainkey itself is an empty non-terminal), SPF, a DMARC authorisation and a CNAME.</summary>
    public static ProviderZone Zone(string origin, uint serial, string version = "v1") => new(origin, serial,
    [
        ZoneRecord.Txt($"mosa-2025a._domainkey.{origin}", 300, Rsa4096Txt.Value),
        ZoneRecord.Txt($"mosa-2025b._domainkey.{origin}", 300, ["v=DKIM1; k=ed25519; ", $"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo={version}"]),
        ZoneRecord.Txt($"_spf.{origin}", 600, ["v=spf1 ip4:192.0.2.0/24 -all"]),
        ZoneRecord.Txt($"mosa.example._report._dmarc.{origin}", 3600, ["v=DMARC1"]),
        new ZoneRecord($"current._domainkey.{origin}", "CNAME", 300, $"mosa-2025b._domainkey.{origin}"),
    ]);

    public static LookupClient Client(IPEndPoint server, bool tcp, int bufferSize = 4096, bool tcpFallback = true) =>
        new(new LookupClientOptions(server)
        {
            UseCache = false,
            UseTcpOnly = tcp,
            UseTcpFallback = tcpFallback,
            ExtendedDnsBufferSize = bufferSize,
            Timeout = TimeSpan.FromSeconds(3),
            Retries = 0,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });

    public static Task<IDnsQueryResponse> AskAsync(IPEndPoint server, string name, QueryType type, bool tcp = false) =>
        Client(server, tcp).QueryAsync(name, type, QueryClass.IN, TestContext.Current.CancellationToken);

    public static IPEndPoint Loopback0 => new(IPAddress.Loopback, 0);
}
