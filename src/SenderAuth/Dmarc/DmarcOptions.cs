namespace SenderAuth.Dmarc;

/// <summary>How DMARC policies and organizational domains are found.</summary>
public sealed record DmarcOptions
{
    /// <summary>
    /// When set, the organizational domain comes from this Public Suffix List (RFC 7489 §3.2) instead of the
    /// RFC 9989 DNS tree walk.
    /// </summary>
    public PublicSuffixList? PublicSuffixList { get; init; }

    /// <summary>DNS queries one tree walk may make; RFC 9989 §4.10 bounds it at 8.</summary>
    public int MaxTreeWalkQueries { get; init; } = 8;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <see cref="MaxTreeWalkQueries"/> is not 1 to 8.</summary>
    public void Validate()
    {
        if (MaxTreeWalkQueries is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(DmarcOptions), "MaxTreeWalkQueries must be 1 to 8 (RFC 9989 §4.10)");
        }
    }
}
