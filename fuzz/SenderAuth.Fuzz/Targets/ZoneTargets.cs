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

    /// <summary><see cref="Dns.DnsSec.TrustAnchors.Parse"/>: errors are <see cref="ZoneFileException"/>.</summary>
    public static FuzzTarget TrustAnchors { get; } = new("trust-anchors", input =>
    {
        _ = Dns.DnsSec.TrustAnchors.Parse(FuzzTargets.Text(input), "fuzz.anchors");
    }, [typeof(ZoneFileException)], FuzzBudget.Text);
}
