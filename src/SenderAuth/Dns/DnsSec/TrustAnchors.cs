using System.Globalization;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// The keys validation starts from: DS and/or DNSKEY records per zone, read from a file in zone-file syntax (the
/// format of unbound's <c>trust-anchor-file</c>), or the root's anchors by default.
/// </summary>
public sealed class TrustAnchors
{
    /// <summary>
    /// The root zone's anchors: KSK-2017 (key tag 20326) and KSK-2024 (key tag 38696), both RSASHA256 with a SHA-256
    /// digest, as IANA publishes them in root-anchors.xml; copied from Debian's dns-root-data 2024071801
    /// (/usr/share/dns/root.ds), which carries that file's values. Embedded so the check needs no file at run time.
    /// </summary>
    public const string RootDs = """
        . IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
        . IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
        """;

    /// <summary>
    /// Most characters (or bytes, for <see cref="Load"/>) of a trust-anchor file: 1 MiB. The root's file is under
    /// 1 KiB; parsing is linear, and this bounds what a mistaken path (a log, a disk image) costs before the error.
    /// </summary>
    public const int MaxLength = 1024 * 1024;

    private readonly Dictionary<WireName, (List<DsData> Ds, List<DnskeyData> Keys)> _zones;

    private TrustAnchors(Dictionary<WireName, (List<DsData>, List<DnskeyData>)> zones) => _zones = zones;

    /// <summary>The root's anchors (<see cref="RootDs"/>).</summary>
    public static TrustAnchors Root { get; } = Parse(RootDs);

    /// <summary>The zones that have an anchor.</summary>
    internal IEnumerable<WireName> Zones => _zones.Keys;

    /// <summary>The anchor DS and DNSKEY records of a zone; empty lists when it has none.</summary>
    internal (IReadOnlyList<DsData> Ds, IReadOnlyList<DnskeyData> Keys) For(WireName zone) =>
        _zones.TryGetValue(zone, out var a) ? (a.Ds, a.Keys) : ([], []);

    /// <summary>The closest anchored zone at or above <paramref name="name"/>, or null when no anchor covers it.</summary>
    internal WireName? Closest(WireName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var n = name; ; n = n.Parent())
        {
            if (_zones.ContainsKey(n))
            {
                return n;
            }
            if (n.LabelCount == 0)
            {
                return null;
            }
        }
    }

    /// <summary>Reads a trust-anchor file of at most <see cref="MaxLength"/> bytes.</summary>
    /// <exception cref="ZoneFileException">Not readable as DS/DNSKEY records, with file, line and column, or too long.</exception>
    public static TrustAnchors Load(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxLength)
        {
            throw TooLong(path, length);
        }
        return Parse(File.ReadAllText(path), path);
    }

    private static ZoneFileException TooLong(string? fileName, long length) =>
        new(fileName, 1, 1, $"the trust anchor file has {length} characters, more than {MaxLength}");

    /// <summary>
    /// Reads DS and DNSKEY records in zone-file syntax (RFC 1035 §5.1: comments, parentheses, <c>$ORIGIN</c>,
    /// <c>$TTL</c>, optional TTL and class IN), one or more zones. Other record types are errors, as are DS records
    /// whose digest length does not fit their digest type.
    /// </summary>
    /// <exception cref="ZoneFileException">With line and column of the offending token.</exception>
    public static TrustAnchors Parse(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw TooLong(fileName, text.Length);
        }
        var zones = new Dictionary<WireName, (List<DsData>, List<DnskeyData>)>();
        WireName? origin = null;
        WireName? previous = null;
        foreach (var entry in new ZoneFileTokenizer(text, fileName).ReadEntries())
        {
            var tokens = new TokenCursor(entry.Tokens, fileName);
            var first = tokens.Peek!.Value;
            if (!entry.BlankOwner && !first.Quoted && first.Text.StartsWith('$'))
            {
                tokens.Next("directive");
                switch (first.Text.ToUpperInvariant())
                {
                    case "$ORIGIN":
                        origin = Name(tokens, tokens.Next("$ORIGIN name"), null);
                        break;
                    case "$TTL":
                        tokens.Next("$TTL value");
                        break;
                    default:
                        throw tokens.Error(first, $"unknown directive '{first.Text}'");
                }
                tokens.End();
                continue;
            }
            var owner = entry.BlankOwner
                ? previous ?? throw tokens.Error(first, "no previous owner for a line starting with blank")
                : Name(tokens, tokens.Next("owner name"), origin);
            previous = owner;
            var type = tokens.Next("record type");
            while (!type.Quoted && (type.Text.Equals("IN", StringComparison.OrdinalIgnoreCase) || ZoneFileParser.TryParseTtl(type.Text, out _)))
            {
                type = tokens.Next("record type");
            }
            if (!zones.TryGetValue(owner, out var anchor))
            {
                zones[owner] = anchor = ([], []);
            }
            switch (type.Text.ToUpperInvariant())
            {
                case "DS":
                    anchor.Item1.Add(Ds(owner, tokens));
                    break;
                case "DNSKEY":
                    anchor.Item2.Add(Dnskey(owner, tokens));
                    break;
                default:
                    throw tokens.Error(type, $"'{type.Text}' is not a trust anchor: expected DS or DNSKEY");
            }
        }
        if (zones.Count == 0)
        {
            throw new ZoneFileException(fileName, 1, 1, "no DS or DNSKEY record: a trust anchor file needs at least one");
        }
        return new TrustAnchors(zones);
    }

    private static DsData Ds(WireName owner, TokenCursor tokens)
    {
        var keyTag = Number(tokens, tokens.Next("DS key tag"), ushort.MaxValue, "key tag");
        var algorithm = (byte)Number(tokens, tokens.Next("DS algorithm"), byte.MaxValue, "algorithm");
        var digestTypeToken = tokens.Next("DS digest type");
        var digestType = (byte)Number(tokens, digestTypeToken, byte.MaxValue, "digest type");
        var first = tokens.Next("DS digest");
        var hex = Rest(tokens, first);
        byte[] digest;
        try
        {
            digest = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw tokens.Error(first, "DS digest is not hexadecimal");
        }
        var expected = digestType switch { 1 => 20, 2 => 32, 4 => 48, _ => digest.Length };
        if (digest.Length != expected)
        {
            throw tokens.Error(first, $"DS digest of {digest.Length} octets, digest type {digestType} has {expected}");
        }
        return new DsData(owner, (ushort)keyTag, algorithm, digestType, digest);
    }

    private static DnskeyData Dnskey(WireName owner, TokenCursor tokens)
    {
        var flags = (ushort)Number(tokens, tokens.Next("DNSKEY flags"), ushort.MaxValue, "flags");
        var protocolToken = tokens.Next("DNSKEY protocol");
        var protocol = (byte)Number(tokens, protocolToken, byte.MaxValue, "protocol");
        if (protocol != 3)
        {
            throw tokens.Error(protocolToken, "DNSKEY protocol must be 3 (RFC 4034 §2.1.2)");
        }
        var algorithm = (byte)Number(tokens, tokens.Next("DNSKEY algorithm"), byte.MaxValue, "algorithm");
        var first = tokens.Next("DNSKEY public key");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(Rest(tokens, first));
        }
        catch (FormatException)
        {
            throw tokens.Error(first, "DNSKEY public key is not base64");
        }
        byte[] rdata = [(byte)(flags >> 8), (byte)flags, protocol, algorithm, .. key];
        return DnskeyData.Read(owner, rdata);
    }

    /// <summary>The remaining tokens joined: zone files split long digests and keys over several words.</summary>
    /// <remarks>One builder: concatenating a string per token was quadratic (a 1 MB anchor file took over 20 s).</remarks>
    private static string Rest(TokenCursor tokens, ZoneToken first)
    {
        if (tokens.Peek is null)
        {
            return first.Text;
        }
        var text = new System.Text.StringBuilder(first.Text);
        while (tokens.Peek is not null)
        {
            text.Append(tokens.Next("data").Text);
        }
        return text.ToString();
    }

    private static uint Number(TokenCursor tokens, ZoneToken token, uint max, string what) =>
        !token.Quoted && token.Text.All(char.IsAsciiDigit) && uint.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= max
            ? v : throw tokens.Error(token, $"invalid {what} '{token.Text}' (0-{max})");

    private static WireName Name(TokenCursor tokens, ZoneToken token, WireName? origin)
    {
        if (token.Quoted || token.Text.Contains('\\', StringComparison.Ordinal))
        {
            throw tokens.Error(token, $"invalid domain name '{token.Text}'");
        }
        try
        {
            if (token.Text == "@")
            {
                return origin ?? throw tokens.Error(token, "'@' used before any $ORIGIN");
            }
            if (token.Text.EndsWith('.'))
            {
                return WireName.Parse(token.Text);
            }
            return origin is null
                ? throw tokens.Error(token, $"relative name '{token.Text}' used before any $ORIGIN")
                : WireName.Parse(token.Text + "." + (origin.LabelCount == 0 ? "" : origin.Text));
        }
        catch (FormatException e) when (e is not ZoneFileException)
        {
            throw tokens.Error(token, $"invalid domain name '{token.Text}'");
        }
    }
}
