using System.Net;
using SenderAuth.Dns;

namespace SenderAuth.Server.Publishing;

/// <summary>The built-in authoritative server (<see cref="BuiltInDnsServer"/>).</summary>
public sealed record BuiltInDnsOptions
{
    /// <summary>Address and port for UDP and TCP; port 0 picks a free port (see <see cref="BuiltInDnsServer.AuthoritativeServer"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, 53);

    /// <summary>The apex NS names, the first also the SOA MNAME; empty means <c>ns1.&lt;origin&gt;</c>.</summary>
    public IReadOnlyList<string> NsNames { get; init; } = [];

    /// <summary>The SOA RNAME, as a mailbox (<c>hostmaster@example.org</c>) or in DNS form; null means <c>hostmaster.&lt;origin&gt;</c>.</summary>
    public string? SoaMailbox { get; init; }

    /// <summary>
    /// Largest UDP answer sent to EDNS clients. 1232 is the DNS Flag Day 2020 value: it avoids IP fragmentation,
    /// and larger answers are truncated so the client retries over TCP.
    /// </summary>
    public int MaxUdpPayload { get; init; } = 1232;

    /// <summary>Response-rate limiting of UDP answers per client network; on by default.</summary>
    public DnsRateLimitOptions RateLimit { get; init; } = new();

    public void Validate()
    {
        if (RateLimit?.Problems().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem);
        }
        if (Listen is null)
        {
            throw new ArgumentException("BuiltInDns.Listen is required (an address and port, e.g. 0.0.0.0:53)");
        }
        if (MaxUdpPayload is < 512 or > 65535)
        {
            throw new ArgumentException($"BuiltInDns.MaxUdpPayload must be between 512 and 65535, not {MaxUdpPayload}");
        }
        PublishingValidation.HostNames("BuiltInDns.NsNames", NsNames);
        PublishingValidation.Mailbox("BuiltInDns.SoaMailbox", SoaMailbox);
    }
}

/// <summary>RFC 2136 dynamic UPDATE, signed with TSIG, to the zone's primary server (<see cref="Rfc2136ZonePublisher"/>).</summary>
public sealed record Rfc2136Options
{
    /// <summary>The primary server: it must accept UPDATE and AXFR for <see cref="Zone"/> signed with the key.</summary>
    public IPEndPoint? Server { get; init; }

    /// <summary>The zone to update; must equal the published <see cref="ProviderZone.Origin"/>.</summary>
    public string Zone { get; init; } = "";

    public string TsigKeyName { get; init; } = "";

    /// <summary>hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha224 or hmac-sha1.</summary>
    public string TsigAlgorithm { get; init; } = "hmac-sha256";

    /// <summary>The shared secret, base64 as BIND and Knot print it.</summary>
    public string TsigSecret { get; init; } = "";

    /// <summary>How long to wait for each answer (transfer or update).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (Server is null)
        {
            throw new ArgumentException("Rfc2136.Server is required (the primary's address and port, e.g. 192.0.2.53:53)");
        }
        if (!DnsName.IsValid(Zone))
        {
            throw new ArgumentException($"Rfc2136.Zone is not a valid domain name: '{Zone}'");
        }
        if (!DnsName.IsValid(TsigKeyName))
        {
            throw new ArgumentException($"Rfc2136.TsigKeyName is not a valid key name: '{TsigKeyName}'");
        }
        if (!TsigAlgorithms.IsKnown(TsigAlgorithm))
        {
            throw new ArgumentException($"Rfc2136.TsigAlgorithm '{TsigAlgorithm}' is not supported; use one of {string.Join(", ", TsigAlgorithms.Names)}");
        }
        if (!IsBase64(TsigSecret))
        {
            throw new ArgumentException("Rfc2136.TsigSecret must be the key's secret in base64 (it is empty or not base64)");
        }
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"Rfc2136.Timeout must be positive and at most 5 minutes, not {Timeout}");
        }
    }

    private static bool IsBase64(string s)
    {
        var buffer = new byte[s.Length];
        return s.Length > 0 && Convert.TryFromBase64String(s, buffer, out var written) && written > 0;
    }
}

/// <summary>A master file written for another server to load (<see cref="ZoneFilePublisher"/>).</summary>
public sealed record ZoneFileOptions
{
    /// <summary>The file to write; its folder must exist (the temporary file goes beside it).</summary>
    public string Path { get; init; } = "";

    /// <summary>The apex NS names written into the file; empty means <c>ns1.&lt;origin&gt;</c>.</summary>
    public IReadOnlyList<string> NsNames { get; init; } = [];

    /// <summary>The SOA RNAME, as for <see cref="BuiltInDnsOptions.SoaMailbox"/>.</summary>
    public string? SoaMailbox { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("ZoneFile.Path is required (where the provider zone file is written)");
        }
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (folder is null || !Directory.Exists(folder))
        {
            throw new ArgumentException($"ZoneFile.Path: the folder of '{Path}' does not exist");
        }
        PublishingValidation.HostNames("ZoneFile.NsNames", NsNames);
        PublishingValidation.Mailbox("ZoneFile.SoaMailbox", SoaMailbox);
    }
}

internal static class PublishingValidation
{
    public static void HostNames(string setting, IReadOnlyList<string>? names)
    {
        foreach (var name in names ?? [])
        {
            if (string.IsNullOrWhiteSpace(name) || !DnsName.IsValid(name))
            {
                throw new ArgumentException($"{setting}: '{name}' is not a valid host name");
            }
        }
    }

    public static void Mailbox(string setting, string? mailbox)
    {
        var at = mailbox?.LastIndexOf('@') ?? -1;
        if (mailbox is not null && (at == 0 || at == mailbox.Length - 1 || !DnsName.IsValid(ZoneApex.MailboxToDomainName(mailbox))))
        {
            throw new ArgumentException($"{setting}: '{mailbox}' is neither a mailbox nor a domain name");
        }
    }
}
