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
    public string? Rfc2136Server { get; set; }
    public string? TsigKeyName { get; set; }
    public string TsigAlgorithm { get; set; } = "hmac-sha256";
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
    public long MaxMessageBytes { get; set; } = 25 * 1024 * 1024;
    /// <summary>Requests per second per API key (token bucket).</summary>
    public int RequestsPerSecond { get; set; } = 5000;
    public int Burst { get; set; } = 10000;
    public int MaxPageSize { get; set; } = 200;
}
