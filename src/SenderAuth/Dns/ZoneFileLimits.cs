namespace SenderAuth.Dns;

/// <summary>
/// The bounds of <see cref="ZoneFileParser"/>: work and memory stay linear in the input, and input past a bound is
/// refused with a <see cref="ZoneFileException"/> at its position. Names are bounded by
/// <see cref="DnsLabels.MaxLabelOctets"/> and <see cref="DnsLabels.MaxNameOctets"/>.
/// </summary>
public static class ZoneFileLimits
{
    /// <summary>Characters of master-file text read in one parse, every <c>$INCLUDE</c>d file counted (64 Mi): a
    /// provider zone of a hundred thousand domains is well below it.</summary>
    public const long MaxTotalLength = 64L * 1024 * 1024;

    /// <summary>Characters on one line (256 Ki): room for the largest record (65,535 octets of RDATA, each
    /// written as a four-character <c>\DDD</c>) on one line, as Knot and BIND write it.</summary>
    public const int MaxLineLength = 256 * 1024;

    /// <summary>Characters in one record, its parenthesised continuation lines included (256 Ki, as a line).</summary>
    public const int MaxEntryLength = 256 * 1024;

    /// <summary>Octets of one record's RDATA on the wire (RDLENGTH is 16 bits, RFC 1035 §3.2.1).</summary>
    public const int MaxRdataOctets = 65535;

    /// <summary>Nesting of <c>$INCLUDE</c>: a file at depth 8 may not include another.</summary>
    public const int MaxIncludeDepth = 8;
}
