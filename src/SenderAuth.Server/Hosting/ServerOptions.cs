using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// The "SenderAuth" configuration section; validated at start (<see cref="ServerOptionsValidator"/>). What the store
/// reads too (database, data folder, provider, reports) is on <see cref="StoreOptions"/>, which the CLI binds alone.
/// </summary>
public sealed class ServerOptions : StoreOptions
{
    /// <summary>Base64 of 32 random bytes sealing private keys. Unset (SQLite only): generated once into DataDirectory/master.key.</summary>
    public string? MasterKey { get; set; }

    /// <summary>An operator API key to accept (SENDERAUTH_OPERATOR_KEY). Unset: one is generated on first run and printed once.</summary>
    public string? OperatorKey { get; set; }

    public PublishingSettings Publishing { get; set; } = new();

    public ResolverOptions Resolver { get; set; } = new();

    public SigningOptions Signing { get; set; } = new();

    public ApiLimits Limits { get; set; } = new();

    public Milter.MilterOptions Milter { get; set; } = new();

    public Monitoring.MonitorOptions Monitoring { get; set; } = new();

    public Webhooks.NotificationOptions Notifications { get; set; } = new();

    public Dashboard.DashboardOptions Dashboard { get; set; } = new();

    public Institutions.QuotaOptions Quotas { get; set; } = new();

    public Access.ProxyOptions Proxies { get; set; } = new();

    public Access.ClientLimitOptions ClientLimits { get; set; } = new();

    public Domains.DomainOptions Domains { get; set; } = new();

    public Domains.RetentionOptions Retention { get; set; } = new();

    public Metrics.MetricsOptions Metrics { get; set; } = new();
}

/// <summary>How and where the provider zone is published.</summary>
public sealed class PublishingSettings
{
    /// <summary>BuiltIn (default), Rfc2136 or ZoneFile; configuration takes <c>builtin</c>, <c>rfc2136</c>, <c>zonefile</c>.</summary>
    public Publishing.PublishingMode Mode { get; set; } = Publishing.PublishingMode.BuiltIn;
    /// <summary>The built-in DNS server's address (--dns); port 0 picks a free one.</summary>
    public string Dns { get; set; } = "127.0.0.1:8053";
    /// <summary>Response-rate limiting and warning summaries of the built-in DNS server (see DnsRateLimitOptions).</summary>
    public Publishing.DnsRateLimitOptions DnsRateLimit { get; set; } = new();
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

/// <summary>The DNS the domain check reads institutions' zones through.</summary>
public sealed class ResolverOptions
{
    /// <summary>Recursive resolvers (IP[:PORT]); empty: the system's.</summary>
    public List<string> Servers { get; set; } = [];
    /// <summary>Zones answered by a given server instead (zone → IP[:PORT]), like unbound's forward-zone.</summary>
    public Dictionary<string, string> Forward { get; set; } = [];
    /// <summary>How long one DNS query of a check may take, in seconds.</summary>
    [Range(0d, 60d, MinimumIsExclusive = true)]
    public double TimeoutSeconds { get; set; } = 3;
    /// <summary>
    /// A validating resolver (IP[:PORT]) the domain checks ask about DNSSEC (the AD bit, SERVFAIL for bogus); unset,
    /// the default, the checks skip DNSSEC: a non-validating resolver cannot tell secure from insecure.
    /// </summary>
    public string? Dnssec { get; set; }
}

public sealed class SigningOptions
{
    /// <summary>How long a cached signing configuration may be stale (other instances' changes).</summary>
    public double CacheSeconds { get; set; } = 5;
}

public sealed class ApiLimits
{
    /// <summary>Largest message accepted by messages/sign (bytes); default 25 MB.</summary>
    [Range(typeof(long), "1024", "1073741824")]
    public long MaxMessageBytes { get; set; } = 25 * 1024 * 1024;
    /// <summary>Requests per second per API key (token bucket).</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerSecond { get; set; } = 5000;
    /// <summary>Requests one API key may make at once before the per-second rate applies (the bucket's size).</summary>
    [Range(1, int.MaxValue)]
    public int Burst { get; set; } = 10000;
    /// <summary>Largest page a list endpoint returns (?limit=).</summary>
    [Range(1, int.MaxValue)]
    public int MaxPageSize { get; set; } = 200;
}
