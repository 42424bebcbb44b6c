using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Response-rate limiting of the built-in DNS server ("SenderAuth:Publishing:DnsRateLimit"), after BIND's and Knot's
/// RRL: UDP answers per second per client network, over which answers are dropped, every <see cref="Slip"/>-th one
/// sent truncated (TC=1, no records) instead, so a real client behind a busy network retries over TCP, which a
/// spoofed source cannot. TCP is not limited (it cannot be spoofed).
/// </summary>
public sealed class DnsRateLimitOptions
{
    /// <summary>UDP answers per second per client network; 0 turns limiting off. Default 20, BIND's suggestion for authoritative servers is 5-20.</summary>
    public double ResponsesPerSecond { get; set; } = 20;

    /// <summary>Answers a client network may get at once before the rate applies (the bucket's size). Default 40.</summary>
    public double Burst { get; set; } = 40;

    /// <summary>Of the answers over the limit, every Slip-th is sent truncated, the rest dropped; 0 drops all, 1 truncates all. Default 2 (as BIND and Knot).</summary>
    [Range(0, 10)]
    public int Slip { get; set; } = 2;

    /// <summary>IPv4 clients are counted per network of this prefix length. Default 24.</summary>
    [Range(8, 32)]
    public int Ipv4PrefixLength { get; set; } = 24;

    /// <summary>IPv6 clients are counted per network of this prefix length. Default 56.</summary>
    [Range(16, 128)]
    public int Ipv6PrefixLength { get; set; } = 56;

    /// <summary>
    /// Whether loopback clients are exempt. Default true: this server's own domain checks ask the built-in server over
    /// loopback, and a local client cannot be an amplification victim elsewhere.
    /// </summary>
    public bool ExemptLoopback { get; set; } = true;

    /// <summary>Client networks tracked at most (memory bound); beyond it, new networks share one bucket. Default 100000.</summary>
    [Range(100, 10_000_000)]
    public int MaxTrackedNetworks { get; set; } = 100_000;

    /// <summary>
    /// Warnings about malformed queries and limited clients are logged at most once per this interval, followed by
    /// a count of the rest. Default 60 s.
    /// </summary>
    [Range(1d, 86400d)]
    public double WarningIntervalSeconds { get; set; } = 60;

    public bool Enabled => ResponsesPerSecond > 0;

    public IEnumerable<string> Problems()
    {
        const string at = "SenderAuth:Publishing:DnsRateLimit";
        if (ResponsesPerSecond is < 0 or > 1_000_000 || Burst < Math.Max(1, ResponsesPerSecond > 0 ? 1 : 0) || Burst > 10_000_000)
        {
            yield return $"{at}: ResponsesPerSecond must be between 0 (off) and 1000000, Burst at least 1";
        }
        // Slip, the prefix lengths, MaxTrackedNetworks and WarningIntervalSeconds: [Range] (OptionRangeValidator).
    }
}
