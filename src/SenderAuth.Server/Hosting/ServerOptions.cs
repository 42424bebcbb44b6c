namespace SenderAuth.Server.Hosting;

/// <summary>
/// The "SenderAuth" configuration section; validated at start (<see cref="ServerOptionsValidator"/>). What the store
/// reads too (database, data folder, provider, reports) is on <see cref="StoreOptions"/>, which the CLI binds alone.
/// </summary>
// The bound root: each section's class lives in its feature's folder with its validator, and services take
// IOptions<TheirSection> (SectionRegistration); this summary and every section's are printed by config-reference.
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
