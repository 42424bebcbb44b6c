using System.Text;
using SenderAuth.Parsing;

namespace SenderAuth.Dkim;

/// <summary>
/// A parsed DKIM key record (RFC 6376 §3.6.1, RFC 8463 §4): v, k, p (empty = revoked), h, s, t=y, t=s.
/// Unknown tags are ignored; a duplicate tag is an error. <see cref="Parse"/> caches by record text, so an RSA
/// key is decoded once, not per message.
/// </summary>
public sealed record DkimKeyRecord
{
    /// <summary>
    /// The parse cache's byte budget: 32 MiB, twice the default, because an RSA-2048 key record is about 3 KiB with its
    /// decoded key, so the 10,000 keys the cache held before it was bounded by bytes still fit.
    /// </summary>
    internal const long ParseCacheBytes = 32L * 1024 * 1024;

    internal static readonly BoundedParseCache<(DkimKeyRecord? Record, string? Error)> Cache =
        new(maxBytes: ParseCacheBytes, sizeOf: static v => ParsedSize(v.Record, v.Error), isFailure: static v => v.Record is null);

    /// <summary>
    /// Most characters of a key record: 8,192. An RSA key of <see cref="MaxRsaKeyBits"/> published as
    /// SubjectPublicKeyInfo is about 1,400 characters of base64; a longer record is refused before it is decoded.
    /// </summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>
    /// Largest RSA modulus accepted: 8,192 bits. RFC 8301 §3.2 asks verifiers to handle 1024 to 4096; the cost of a
    /// verification grows with the square of the modulus, so a bigger key is an error, not work.
    /// </summary>
    public const int MaxRsaKeyBits = 8192;

    /// <summary>
    /// What a parse keeps alive beyond its key: the record and its lists, and for RSA the key object with its
    /// native key (modulus and exponent, a few times the modulus size, plus about 1 KiB of OpenSSL structures).
    /// </summary>
    internal static long ParsedSize(DkimKeyRecord? record, string? error) => record is null
        ? 64 + (2L * (error?.Length ?? 0))
        : 256 + (record.PublicKey is null ? 0 : record.PublicKey.KeyType == DkimKeyType.Rsa ? 1024 + (record.PublicKey.KeySize / 2) : 256);

    /// <summary>k=: the key type, rsa when absent.</summary>
    public required DkimKeyType KeyType { get; init; }

    /// <summary>Null when p= is empty: the key was revoked.</summary>
    public DkimPublicKey? PublicKey { get; init; }

    /// <summary>Allowed hash algorithms (h=); empty means all.</summary>
    public IReadOnlyList<string> HashAlgorithms { get; init; } = [];

    /// <summary>Service types (s=); default "*".</summary>
    public IReadOnlyList<string> ServiceTypes { get; init; } = ["*"];

    /// <summary>t=y: the domain is testing DKIM.</summary>
    public bool Testing { get; init; }

    /// <summary>t=s: i= must be exactly d=, not a subdomain.</summary>
    public bool StrictIdentity { get; init; }

    /// <summary>True when p= is empty: every signature with this key must fail (RFC 6376 §3.6.1).</summary>
    public bool IsRevoked => PublicKey is null;

    /// <summary>Parses a key record (the TXT strings already joined); errors say what is wrong.</summary>
    public static DkimKeyRecord? Parse(string text, out string? error)
    {
        var (record, failure) = Cache.GetOrAdd(text, static t => (ParseUncached(t, out var e), e));
        error = failure;
        return record;
    }

    private static DkimKeyRecord? ParseUncached(string text, out string? error)
    {
        if (text.Length > MaxLength)
        {
            error = $"the key record has {text.Length} characters, more than {MaxLength}";
            return null;
        }
        var tags = DkimTags.Parse(text, out error);
        if (tags is null)
        {
            return null;
        }
        if (tags["v"] is { } v && (v != "DKIM1" || tags.Tags[0].Name != "v"))
        {
            error = v != "DKIM1" ? $"v={v}: only DKIM1 is defined" : "v= must be the first tag (RFC 6376 §3.6.1)";
            return null;
        }
        var k = tags["k"] ?? "rsa";
        if (!DkimTokens.TryParseKeyType(k, out var type))
        {
            error = $"k={k}: unknown key type";
            return null;
        }
        var p = tags["p"];
        if (p is null)
        {
            error = "p= is missing";
            return null;
        }
        p = TagList.StripWhitespace(p);
        DkimPublicKey? key = null;
        if (p.Length > 0)
        {
            try
            {
                key = DkimPublicKey.FromPublished(type, Convert.FromBase64String(p));
                if (key.KeySize > MaxRsaKeyBits)
                {
                    error = $"{key.KeySize}-bit RSA key; at most {MaxRsaKeyBits} bits are accepted";
                    return null;
                }
            }
            catch (FormatException e)
            {
                error = $"p= is not a valid {k} public key: {e.Message}";
                return null;
            }
        }
        var flags = List(tags["t"]);
        return new DkimKeyRecord
        {
            KeyType = type,
            PublicKey = key,
            HashAlgorithms = List(tags["h"]),
            ServiceTypes = tags["s"] is null ? ["*"] : List(tags["s"]),
            Testing = flags.Contains("y"),
            StrictIdentity = flags.Contains("s"),
        };
    }

    private static string[] List(string? value) =>
        value is null ? [] : value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The TXT value to publish: <c>v=DKIM1; k=…; p=…</c>.</summary>
    public static string TxtValue(DkimPublicKey key, bool testing = false) =>
        $"v=DKIM1; k={key.KeyType.Token()};{(testing ? " t=y;" : string.Empty)} p={Convert.ToBase64String(key.PublishedBytes)}";

    /// <summary>The TXT value as character-strings of at most 255 bytes each (RFC 1035 §3.3).</summary>
    public static IReadOnlyList<string> TxtStrings(string value)
    {
        var strings = new List<string>();
        for (var i = 0; i < value.Length; i += 255)
        {
            strings.Add(value.Substring(i, Math.Min(255, value.Length - i)));
        }
        return strings;
    }

    /// <summary>A master-file line: <c>sel._domainkey.example.com. 3600 IN TXT ( "…" "…" )</c>.</summary>
    public static string ZoneFileLine(string selector, string domain, DkimPublicKey key, uint ttl = 3600)
    {
        var sb = new StringBuilder().Append(selector).Append("._domainkey.").Append(domain.TrimEnd('.')).Append(". ").Append(ttl).Append(" IN TXT (");
        foreach (var s in TxtStrings(TxtValue(key)))
        {
            sb.Append(" \"").Append(s).Append('"');
        }
        return sb.Append(" )").ToString();
    }
}
