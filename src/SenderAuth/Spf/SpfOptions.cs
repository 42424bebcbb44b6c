namespace SenderAuth.Spf;

/// <summary>Limits and identity of the SPF verifier. Defaults are the RFC 7208 §4.6.4 limits.</summary>
public sealed record SpfOptions
{
    /// <summary>DNS-querying terms (include, a, mx, ptr, exists, redirect) per check; default 10.</summary>
    public int MaxDnsLookups { get; init; } = 10;

    /// <summary>Lookups answered NXDOMAIN or NODATA per check; default 2.</summary>
    public int MaxVoidLookups { get; init; } = 2;

    /// <summary>MX names one mx mechanism may return; more is permerror. Default 10.</summary>
    public int MaxMxNames { get; init; } = 10;

    /// <summary>PTR names looked at by ptr and %{p}; the rest are ignored (RFC 7208 §4.6.4). Default 10.</summary>
    public int MaxPtrNames { get; init; } = 10;

    /// <summary>The checking host's name: the %{r} macro and the receiver in Received-SPF. Default "unknown".</summary>
    public string ReceiverName { get; init; } = "unknown";

    /// <summary>Wall-clock bound for one check (RFC 7208 §4.6.4 suggests at least 20 s); default 20 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws when a limit is out of range: options are checked once, at construction.</summary>
    public void Validate()
    {
        if (MaxDnsLookups is < 1 or > 100 || MaxVoidLookups is < 0 or > 100 || MaxMxNames is < 1 or > 100 || MaxPtrNames is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(SpfOptions), "SPF limits must be between 1 (0 for void lookups) and 100");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SpfOptions), "SPF timeout must be positive");
        }
    }
}
