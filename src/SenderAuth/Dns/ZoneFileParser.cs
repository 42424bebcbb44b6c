namespace SenderAuth.Dns;

/// <summary>RFC 1035 §5 master-file reader (placeholder until the parser lands).</summary>
public static class ZoneFileParser
{
    public static DnsZone ParseFile(string path) => Parse(File.ReadAllText(path));

    public static DnsZone Parse(string text, string? origin = null) =>
        throw new NotSupportedException($"zone file parsing not implemented ({text.Length} chars, origin {origin})");
}
