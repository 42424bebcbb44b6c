using System.Collections.Frozen;
using System.Globalization;

namespace SenderAuth.Dns;

/// <summary>Type and class words of a master file: mnemonics, and the RFC 3597 <c>TYPEnnn</c>/<c>CLASSnnn</c> forms.</summary>
internal static class ZoneTypes
{
    /// <summary>The types <see cref="ZoneFileParser"/> stores, by IANA code.</summary>
    private static readonly FrozenDictionary<ushort, string> Stored = new Dictionary<ushort, string>
    {
        [1] = "A", [2] = "NS", [5] = "CNAME", [6] = "SOA", [12] = "PTR", [15] = "MX", [16] = "TXT", [28] = "AAAA", [99] = "SPF",
    }.ToFrozenDictionary();

    /// <summary>Types seen in real zones (DNSSEC, service and certificate records) that no check here queries, by code.</summary>
    private static readonly FrozenDictionary<ushort, string> Skippable = new Dictionary<ushort, string>
    {
        [13] = "HINFO", [17] = "RP", [29] = "LOC", [33] = "SRV", [35] = "NAPTR", [37] = "CERT", [39] = "DNAME", [43] = "DS",
        [44] = "SSHFP", [46] = "RRSIG", [47] = "NSEC", [48] = "DNSKEY", [50] = "NSEC3", [51] = "NSEC3PARAM", [52] = "TLSA",
        [53] = "SMIMEA", [59] = "CDS", [60] = "CDNSKEY", [61] = "OPENPGPKEY", [63] = "ZONEMD", [64] = "SVCB", [65] = "HTTPS",
        [256] = "URI", [257] = "CAA",
    }.ToFrozenDictionary();

    private static readonly FrozenSet<string> SkippableNames = Skippable.Values.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The upper-case mnemonic of a type word (<c>TYPE16</c> is <c>TXT</c>, RFC 3597 §5), <c>TYPEnnn</c> for
    /// a code without one here, or null when the word is no type this reader knows.</summary>
    public static string? Canonical(string word)
    {
        var upper = word.ToUpperInvariant();
        if (Stored.Values.Contains(upper) || SkippableNames.Contains(upper))
        {
            return upper;
        }
        if (!TryCode(upper, "TYPE", out var code))
        {
            return null;
        }
        return Stored.TryGetValue(code, out var stored) ? stored
            : Skippable.TryGetValue(code, out var skippable) ? skippable
            : "TYPE" + code.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>True for a type that is read but not stored.</summary>
    public static bool IsSkipped(string canonical) => SkippableNames.Contains(canonical) || canonical.StartsWith("TYPE", StringComparison.Ordinal);

    /// <summary>A class word: IN, CH, CS, HS or RFC 3597 <c>CLASSnnn</c>.</summary>
    public static bool IsClass(string word) =>
        word.ToUpperInvariant() is "IN" or "CH" or "CS" or "HS" || TryCode(word.ToUpperInvariant(), "CLASS", out _);

    /// <summary>IN, also written <c>CLASS1</c>.</summary>
    public static bool IsInternet(string word) =>
        word.Equals("IN", StringComparison.OrdinalIgnoreCase) || (TryCode(word.ToUpperInvariant(), "CLASS", out var code) && code == 1);

    private static bool TryCode(string upper, string prefix, out ushort code)
    {
        code = 0;
        return upper.StartsWith(prefix, StringComparison.Ordinal) && upper.Length > prefix.Length && upper.Length <= prefix.Length + 5
            && upper.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0
            && ushort.TryParse(upper.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }
}
