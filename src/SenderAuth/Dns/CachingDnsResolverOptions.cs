namespace SenderAuth.Dns;

/// <summary>Settings of <see cref="CachingDnsResolver"/>.</summary>
public sealed class CachingDnsResolverOptions
{
    /// <summary>Answers kept at most; when full, expired ones go first, then those expiring soonest.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Upper bound on how long an answer is kept, whatever TTL the server gave.</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lower bound on how long an answer is kept; zero keeps TTL-0 answers out of the cache.</summary>
    public TimeSpan MinTtl { get; init; } = TimeSpan.Zero;
}
