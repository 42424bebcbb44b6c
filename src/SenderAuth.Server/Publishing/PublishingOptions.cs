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

    /// <summary>Throws the first of <see cref="Problems"/>: the guard of a server built from options in code.</summary>
    public void Validate() => PublishingValidation.ThrowFirst(Problems());

    /// <summary>Every problem as a sentence naming the setting; the publishing section's validator lists them at start.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var problem in RateLimit?.Problems() ?? [])
        {
            yield return problem;
        }
        if (Listen is null)
        {
            yield return "BuiltInDns.Listen is required (an address and port, e.g. 0.0.0.0:53)";
        }
        if (MaxUdpPayload is < 512 or > 65535)
        {
            yield return $"BuiltInDns.MaxUdpPayload must be between 512 and 65535, not {MaxUdpPayload}";
        }
        foreach (var problem in PublishingValidation.HostNames("BuiltInDns.NsNames", NsNames).Concat(PublishingValidation.Mailbox("BuiltInDns.SoaMailbox", SoaMailbox)))
        {
            yield return problem;
        }
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

    /// <summary>Throws the first of <see cref="Problems"/>: the guard of a publisher built from options in code.</summary>
    public void Validate() => PublishingValidation.ThrowFirst(Problems());

    /// <summary>Every problem as a sentence naming the setting.</summary>
    public IEnumerable<string> Problems()
    {
        if (Server is null)
        {
            yield return "Rfc2136.Server is required (the primary's address and port, e.g. 192.0.2.53:53)";
        }
        if (!DnsName.IsValid(Zone))
        {
            yield return $"Rfc2136.Zone is not a valid domain name: '{Zone}'";
        }
        foreach (var problem in KeyProblems())
        {
            yield return problem;
        }
    }

    /// <summary>
    /// The problems of the TSIG key and the timeout: what the publishing section's validator lists. The zone is the
    /// provider's (SenderAuth:Provider:Zone, ProviderOptionsValidator) and the server is parsed from its own setting.
    /// </summary>
    public IEnumerable<string> KeyProblems()
    {
        if (!DnsName.IsValid(TsigKeyName))
        {
            yield return $"Rfc2136.TsigKeyName is not a valid key name: '{TsigKeyName}'";
        }
        if (!TsigAlgorithms.IsKnown(TsigAlgorithm))
        {
            yield return $"Rfc2136.TsigAlgorithm '{TsigAlgorithm}' is not supported; use one of {TsigAlgorithms.List}";
        }
        if (!IsBase64(TsigSecret))
        {
            yield return "Rfc2136.TsigSecret must be the key's secret in base64 (it is empty or not base64): unsigned updates are not sent";
        }
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return $"Rfc2136.Timeout must be positive and at most 5 minutes, not {Timeout}";
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

    /// <summary>Throws the first of <see cref="Problems"/>: the guard of a publisher built from options in code.</summary>
    public void Validate() => PublishingValidation.ThrowFirst(Problems());

    /// <summary>Every problem as a sentence naming the setting; the publishing section's validator lists them at start.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return "ZoneFile.Path is required (where the provider zone file is written)";
        }
        else
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (folder is null || !Directory.Exists(folder))
            {
                yield return $"ZoneFile.Path: the folder of '{Path}' does not exist";
            }
        }
        foreach (var problem in PublishingValidation.HostNames("ZoneFile.NsNames", NsNames).Concat(PublishingValidation.Mailbox("ZoneFile.SoaMailbox", SoaMailbox)))
        {
            yield return problem;
        }
    }
}

internal static class PublishingValidation
{
    public static void ThrowFirst(IEnumerable<string> problems)
    {
        if (problems.FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    public static IEnumerable<string> HostNames(string setting, IReadOnlyList<string>? names)
    {
        foreach (var name in names ?? [])
        {
            if (string.IsNullOrWhiteSpace(name) || !DnsName.IsValid(name))
            {
                yield return $"{setting}: '{name}' is not a valid host name";
            }
        }
    }

    public static IEnumerable<string> Mailbox(string setting, string? mailbox)
    {
        var at = mailbox?.LastIndexOf('@') ?? -1;
        if (mailbox is not null && (at == 0 || at == mailbox.Length - 1 || !DnsName.IsValid(ZoneApex.MailboxToDomainName(mailbox))))
        {
            yield return $"{setting}: '{mailbox}' is neither a mailbox nor a domain name";
        }
    }
}
