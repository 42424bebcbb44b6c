using SenderAuth.Dns;

namespace SenderAuth.Fuzz;

/// <summary>RFC 1035 master files: zone files and DNSSEC trust-anchor files.</summary>
internal static class ZoneTargets
{
    /// <summary><see cref="ZoneFileParser.Parse"/>: errors are <see cref="ZoneFileException"/> with line and column.</summary>
    public static FuzzTarget ZoneFile { get; } = new("zone-file", input =>
    {
        _ = ZoneFileParser.Parse(FuzzTargets.Text(input), origin: "example.com.");
    }, [typeof(ZoneFileException)], FuzzBudget.Text);

    /// <summary><see cref="DnsLabels.TryParse"/>: never throws, and a name it reads comes back as the same octets from
    /// both of its text forms (the engine's and the master file's), so the writer and the reader cannot disagree.</summary>
    public static FuzzTarget DnsName { get; } = new("dns-name", input =>
    {
        if (!DnsLabels.TryParse(FuzzTargets.Text(input), out var labels, out _))
        {
            return;
        }
        foreach (var text in (string[])[DnsLabels.ToText(labels), DnsLabels.ToMasterFile(labels)])
        {
            if (!DnsLabels.TryParse(text, out var back, out var error) || !back.SequenceEqual(labels, OctetsComparer.Instance))
            {
                throw new InvalidOperationException($"'{text}' does not read back as the same labels ({error})");
            }
        }
    }, [], FuzzBudget.Text);

    private sealed class OctetsComparer : IEqualityComparer<byte[]>
    {
        public static readonly OctetsComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    /// <summary><see cref="Dns.DnsSec.TrustAnchors.Parse"/>: errors are <see cref="ZoneFileException"/>.</summary>
    public static FuzzTarget TrustAnchors { get; } = new("trust-anchors", input =>
    {
        _ = Dns.DnsSec.TrustAnchors.Parse(FuzzTargets.Text(input), "fuzz.anchors");
    }, [typeof(ZoneFileException)], FuzzBudget.Text);
}
