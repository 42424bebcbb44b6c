namespace SenderAuth.Server.Publishing;

/// <summary>How and where the provider zone is published.</summary>
public sealed class PublishingSettings
{
    /// <summary>BuiltIn (default), Rfc2136 or ZoneFile; configuration takes <c>builtin</c>, <c>rfc2136</c>, <c>zonefile</c>.</summary>
    public PublishingMode Mode { get; set; } = PublishingMode.BuiltIn;
    /// <summary>The built-in DNS server's address (--dns); port 0 picks a free one.</summary>
    public string Dns { get; set; } = "127.0.0.1:8053";
    /// <summary>Response-rate limiting and warning summaries of the built-in DNS server (see DnsRateLimitOptions).</summary>
    public DnsRateLimitOptions DnsRateLimit { get; set; } = new();
    /// <summary>The authoritative server (IP[:PORT]) that takes RFC 2136 updates in mode rfc2136.</summary>
    public string? Rfc2136Server { get; set; }
    /// <summary>The TSIG key name signing RFC 2136 updates (as in the server's configuration).</summary>
    public string? TsigKeyName { get; set; }
    /// <summary>The TSIG algorithm: hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1 (RFC 8945 §6; hmac-md5 is refused).</summary>
    public string TsigAlgorithm { get; set; } = "hmac-sha256";
    /// <summary>The TSIG secret, base64 (from the environment, never the repository).</summary>
    public string? TsigSecret { get; set; }
    /// <summary>The zone file of mode zonefile. Default: DataDirectory/provider.zone. (Every mode serves the zone at GET /api/v1/provider-zone.)</summary>
    public string? ZoneFile { get; set; }
}
