namespace SenderAuth.Milter;

/// <summary>What one milter connection may send; a peer beyond any of these is answered with an error and closed.</summary>
internal sealed record MilterLimits
{
    /// <summary>Largest packet (command byte and data); default 1 MiB. Postfix sends body chunks of at most 64 KiB.</summary>
    public int MaxPacketBytes { get; init; } = 1024 * 1024;

    /// <summary>How long the MTA may stay silent between packets; default 10 minutes (an SMTP client may dawdle).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a started packet may take to arrive whole; default 30 seconds (a stalled peer is cut off).</summary>
    public TimeSpan PacketTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the limits once, when the listener starts.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxPacketBytes is < 70 * 1024 or > 64 * 1024 * 1024)
        {
            yield return "MaxPacketBytes must be between 70 KiB (a 64 KiB body chunk plus its header) and 64 MiB";
        }
        if (IdleTimeout <= TimeSpan.Zero || PacketTimeout <= TimeSpan.Zero)
        {
            yield return "IdleTimeout and PacketTimeout must be positive";
        }
    }
}
