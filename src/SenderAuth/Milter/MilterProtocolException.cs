namespace SenderAuth.Milter;

/// <summary>
/// The peer broke the protocol (a length out of bounds, a packet cut short, a field without its NUL, a command out
/// of order) or a limit was reached; the connection is closed. <see cref="Reason"/> is a stable token for metrics.
/// </summary>
internal sealed class MilterProtocolException(string reason, string message) : Exception(message)
{
    /// <summary>malformed, oversize, truncated, timeout, limit, version.</summary>
    public string Reason { get; } = reason;
}
