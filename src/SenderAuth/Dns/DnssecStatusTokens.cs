namespace SenderAuth.Dns;

/// <summary>
/// The word of a <see cref="DnssecStatus"/> (RFC 4033 §5's states: <c>secure</c>, <c>insecure</c>, <c>bogus</c>,
/// <c>indeterminate</c>): the token JSON writes (registered in <see cref="Json.SenderAuthJson"/>) and the word the
/// check's DNSSEC findings observe. Written as a switch rather than through SenderAuthJson.Token because the engine is
/// AOT-compatible and that helper serializes by reflection; the contract registers this map, so the two cannot drift.
/// </summary>
public static class DnssecStatusTokens
{
    /// <summary>The lower-case state of <paramref name="status"/>.</summary>
    public static string Token(this DnssecStatus status) => status switch
    {
        DnssecStatus.Secure => "secure",
        DnssecStatus.Insecure => "insecure",
        DnssecStatus.Bogus => "bogus",
        DnssecStatus.Indeterminate => "indeterminate",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a DNSSEC status"),
    };
}
