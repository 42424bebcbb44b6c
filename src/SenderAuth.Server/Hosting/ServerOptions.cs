using System.ComponentModel.DataAnnotations;
using SenderAuth.Check;

namespace SenderAuth.Server.Hosting;

/// <summary>The "SenderAuth" configuration section; validated at start (<see cref="ServerOptionsValidator"/>).</summary>
public sealed class ServerOptions
{
    public const string Section = "SenderAuth";

    /// <summary>The data folder: the SQLite database, the generated master key and the zone file live here.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Sqlite (default) or Postgres; read from configuration in any case (<c>sqlite</c>, <c>postgres</c>).</summary>
    public DatabaseKind Database { get; set; } = DatabaseKind.Sqlite;

    /// <summary>The PostgreSQL connection string when <see cref="Database"/> is postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Base64 of 32 random bytes sealing private keys. Unset (SQLite only): generated once into DataDirectory/master.key.</summary>
    public string? MasterKey { get; set; }

    /// <summary>An operator API key to accept (SENDERAUTH_OPERATOR_KEY). Unset: one is generated on first run and printed once.</summary>
    public string? OperatorKey { get; set; }

    public ProviderOptions Provider { get; set; } = new();

    public PublishingSettings Publishing { get; set; } = new();

    public ResolverOptions Resolver { get; set; } = new();

    public SigningOptions Signing { get; set; } = new();

    public ApiLimits Limits { get; set; } = new();

    public Milter.MilterOptions Milter { get; set; } = new();

    public Monitoring.MonitorOptions Monitoring { get; set; } = new();

    public Webhooks.NotificationOptions Notifications { get; set; } = new();

    public Reports.ReportOptions Reports { get; set; } = new();

    public Dashboard.DashboardOptions Dashboard { get; set; } = new();

    public Institutions.QuotaOptions Quotas { get; set; } = new();

    public Access.ProxyOptions Proxies { get; set; } = new();

    public Access.ClientLimitOptions ClientLimits { get; set; } = new();

    public Domains.DomainOptions Domains { get; set; } = new();

    public Domains.RetentionOptions Retention { get; set; } = new();

    public Metrics.MetricsOptions Metrics { get; set; } = new();
}

/// <summary>The provider zone and what every institution must publish (the engine's provider profile).</summary>
public sealed class ProviderOptions
{
    /// <summary>The provider's zone, served by the built-in DNS server or updated by RFC 2136.</summary>
    public string Zone { get; set; } = "ticketing.example";
    /// <summary>The zone under which institutions' DKIM selectors point (their CNAME targets, sel1-{code}._domainkey.DkimZone).</summary>
    public string DkimZone { get; set; } = "dkim.ticketing.example";
    /// <summary>The name institutions include in their SPF record (include:SpfInclude); it lists SendingIps.</summary>
    public string SpfInclude { get; set; } = "spf.ticketing.example";
    /// <summary>The provider's sending networks (CIDR). Default, when none are configured: the documentation networks.</summary>
    public List<string> SendingIps { get; set; } = [];
    /// <summary>The two selectors keys rotate between. Default, when none are configured: stxsel1 → sel1-{code}, stxsel2 → sel2-{code}.</summary>
    public List<ProviderSelector> Selectors { get; set; } = [];
    /// <summary>Where institutions' DMARC aggregate reports go (rua=), {code} the institution; null: no rua= asked for.</summary>
    public string? ReportAddress { get; set; } = "mailto:{code}@rua.ticketing.example";
    /// <summary>The custom MAIL FROM domain offered to domains that enable it, e.g. bounce.{domain}.</summary>
    public string MailFromDomain { get; set; } = "bounce.{domain}";
    /// <summary>The MX host of the custom MAIL FROM domain (where bounces go).</summary>
    public string MailFromMx { get; set; } = "feedback.ticketing.example";
    /// <summary>Size of generated RSA keys; within Quotas:MinRsaBits..MaxRsaBits.</summary>
    public int RsaBits { get; set; } = 2048;
    /// <summary>TTL (seconds) of the key records in the provider zone; a rotation waits at least this long after DNS serves a new key.</summary>
    public int KeyTtl { get; set; } = 3600;
    /// <summary>Selector of the provider's own key, used by the SignWithProviderDomain policy (d= the provider zone).</summary>
    public string OwnSelector { get; set; } = "stxprovider";

    /// <summary>
    /// Fills the lists left empty. Defaults cannot sit in the initializers: the configuration binder appends to a
    /// list it finds filled, so configured networks would come on top of the defaults.
    /// </summary>
    public void ApplyDefaults()
    {
        if (SendingIps.Count == 0)
        {
            SendingIps.AddRange(["203.0.113.0/24", "2001:db8:25::/48"]);
        }
        if (Selectors.Count == 0)
        {
            Selectors.AddRange([new("stxsel1", "sel1-{code}"), new("stxsel2", "sel2-{code}")]);
        }
    }

    /// <summary>
    /// Where each selector's key lives in the provider zone for a domain (sel1-mosa._domainkey.dkim.…), in selector
    /// order; the first names the pair's rotation. Targets hold the institution code, so an institution's domains
    /// share them unless the template holds {domain}.
    /// </summary>
    public IReadOnlyList<(ProviderSelector Selector, string Target)> KeyTargets(string code, string domain)
    {
        var profile = Profile(false);
        return profile.Selectors.Select(s => (s, profile.SelectorTarget(s, code, domain))).ToList();
    }

    public ProviderProfile Profile(bool customMailFrom) => new()
    {
        DkimZone = DkimZone,
        SpfInclude = SpfInclude,
        SendingIps = SendingIps,
        Selectors = Selectors,
        ReportAddress = ReportAddress,
        MailFromDomain = customMailFrom ? MailFromDomain : null,
        MailFromMx = customMailFrom ? MailFromMx : null,
    };
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
    /// <summary>The TSIG algorithm: hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha1, hmac-md5.</summary>
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
