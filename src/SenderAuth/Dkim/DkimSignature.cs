using System.Globalization;
using System.Security.Cryptography;
using SenderAuth.Parsing;

namespace SenderAuth.Dkim;

/// <summary>Signing algorithms. rsa-sha1 is read (to report it) but never produced and refused by default (RFC 8301).</summary>
public enum DkimAlgorithm
{
    /// <summary>rsa-sha256 (RFC 6376 §3.3.1): the default for signing.</summary>
    RsaSha256,
    /// <summary>ed25519-sha256 (RFC 8463): short keys; not every receiver verifies it yet, so sign with RSA as well.</summary>
    Ed25519Sha256,
    /// <summary>rsa-sha1: read only so it can be reported; RFC 8301 forbids signing or accepting it.</summary>
    RsaSha1,
}

/// <summary>A parsed DKIM-Signature field (RFC 6376 §3.5).</summary>
public sealed record DkimSignature
{
    /// <summary>a=: the signing algorithm.</summary>
    public required DkimAlgorithm Algorithm { get; init; }
    /// <summary>b= decoded: the signature over the canonical headers.</summary>
    public required byte[] Signature { get; init; }
    /// <summary>The b= value as written, whitespace removed (for header.b).</summary>
    public required string SignatureBase64 { get; init; }
    /// <summary>bh= decoded: the hash of the canonical body (up to l= bytes).</summary>
    public required byte[] BodyHash { get; init; }
    /// <summary>The header half of c=; simple when c= is absent (RFC 6376 §3.5).</summary>
    public DkimCanonicalization HeaderCanonicalization { get; init; }
    /// <summary>The body half of c=; simple when absent or when c= names only the header form.</summary>
    public DkimCanonicalization BodyCanonicalization { get; init; }
    /// <summary>d=: the signing domain, the one DMARC aligns with the From domain.</summary>
    public required string Domain { get; init; }
    /// <summary>s=: the selector naming the key at <c>s._domainkey.d</c>.</summary>
    public required string Selector { get; init; }
    /// <summary>h=: the signed header field names, in signing order (a name listed more often than present over-signs it).</summary>
    public required IReadOnlyList<string> SignedHeaders { get; init; }
    /// <summary>The AUID (i=), "@" + d= when absent.</summary>
    public required string Identity { get; init; }
    /// <summary>l=: the number of canonical body bytes signed; null when the whole body is.
    /// </summary>
    /// <remarks>Security: content after l= bytes is unsigned, so anyone relaying the message can append to it; the
    /// verifier reports the unsigned remainder and can refuse it.</remarks>
    public long? BodyLength { get; init; }
    /// <summary>t=: signing time, Unix seconds; null when absent.</summary>
    public long? Timestamp { get; init; }
    /// <summary>x=: expiry time, Unix seconds; null when the signature does not expire.</summary>
    public long? Expiration { get; init; }

    /// <summary>The key type the algorithm needs: Ed25519 for ed25519-sha256, RSA otherwise.</summary>
    public DkimKeyType KeyType => Algorithm == DkimAlgorithm.Ed25519Sha256 ? DkimKeyType.Ed25519 : DkimKeyType.Rsa;

    /// <summary>The hash of the algorithm: SHA-1 for rsa-sha1, SHA-256 otherwise.</summary>
    public HashAlgorithmName Hash => Algorithm == DkimAlgorithm.RsaSha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;

    /// <summary>The a= token of <paramref name="a"/>: <c>rsa-sha256</c>, <c>ed25519-sha256</c> or <c>rsa-sha1</c>.</summary>
    public static string AlgorithmToken(DkimAlgorithm a) => a switch
    {
        DkimAlgorithm.RsaSha256 => "rsa-sha256",
        DkimAlgorithm.Ed25519Sha256 => "ed25519-sha256",
        _ => "rsa-sha1",
    };

    /// <summary>Parses the field value; on failure the reason says which check of RFC 6376 §6.1.1 failed.</summary>
    public static DkimSignature? Parse(string value, out DkimReason reason, out string? error)
    {
        reason = DkimReason.MalformedSignature;
        var tags = DkimTags.Parse(value, out error);
        if (tags is null)
        {
            return null;
        }
        foreach (var required in (string[])["v", "a", "b", "bh", "d", "h", "s"])
        {
            if (string.IsNullOrEmpty(tags[required]))
            {
                error = $"required tag {required}= is missing or empty";
                return null;
            }
        }
        if (tags["v"] != "1")
        {
            reason = DkimReason.UnsupportedVersion;
            error = $"v={tags["v"]}: only version 1 is defined";
            return null;
        }
        DkimAlgorithm algorithm;
        switch (tags["a"]!.ToLowerInvariant())
        {
            case "rsa-sha256": algorithm = DkimAlgorithm.RsaSha256; break;
            case "ed25519-sha256": algorithm = DkimAlgorithm.Ed25519Sha256; break;
            case "rsa-sha1": algorithm = DkimAlgorithm.RsaSha1; break;
            default:
                reason = DkimReason.UnsupportedAlgorithm;
                error = $"a={tags["a"]}: unknown algorithm";
                return null;
        }
        if (!TryCanonicalization(tags["c"], out var headerC, out var bodyC))
        {
            reason = DkimReason.UnsupportedCanonicalization;
            error = $"c={tags["c"]}: unknown canonicalization";
            return null;
        }
        if (tags["q"] is { } q && !q.Split(':').Any(m => m.Trim().Equals("dns/txt", StringComparison.OrdinalIgnoreCase)))
        {
            reason = DkimReason.UnsupportedQueryMethod;
            error = $"q={q}: only dns/txt is defined";
            return null;
        }
        var b64 = TagList.StripWhitespace(tags["b"]!);
        var signature = Base64(b64);
        var bodyHash = Base64(TagList.StripWhitespace(tags["bh"]!));
        if (signature is null || bodyHash is null)
        {
            error = signature is null ? "b= is not base64" : "bh= is not base64";
            return null;
        }
        var domain = tags["d"]!.Trim().TrimEnd('.').ToLowerInvariant();
        var names = tags["h"]!.Split(':');
        var headers = new string[names.Length];
        var signsFrom = false;
        for (var n = 0; n < names.Length; n++)
        {
            var h = names[n].Trim(' ', '\t', '\r', '\n');
            if (h.Length == 0)
            {
                error = "h= has an empty header name";
                return null;
            }
            signsFrom |= h.Equals("from", StringComparison.OrdinalIgnoreCase);
            headers[n] = h;
        }
        if (!signsFrom)
        {
            reason = DkimReason.FromNotSigned;
            error = "h= does not include From (RFC 6376 §5.4)";
            return null;
        }
        var identity = tags["i"] is { } i ? i.Trim() : "@" + domain;
        if (!Number(tags["l"], out var l) || !Number(tags["t"], out var t) || !Number(tags["x"], out var x))
        {
            error = "l=, t= or x= is not a decimal number";
            return null;
        }
        return new DkimSignature
        {
            Algorithm = algorithm,
            Signature = signature,
            SignatureBase64 = b64,
            BodyHash = bodyHash,
            HeaderCanonicalization = headerC,
            BodyCanonicalization = bodyC,
            Domain = domain,
            Selector = tags["s"]!.Trim(),
            SignedHeaders = headers,
            Identity = identity,
            BodyLength = l,
            Timestamp = t,
            Expiration = x,
        };
    }

    private static bool TryCanonicalization(string? c, out DkimCanonicalization header, out DkimCanonicalization body)
    {
        header = body = DkimCanonicalization.Simple;
        if (string.IsNullOrEmpty(c))
        {
            return true;
        }
        var parts = c.Split('/');
        return parts.Length <= 2 && One(parts[0], out header) && (parts.Length == 1 || One(parts[1], out body));

        static bool One(string s, out DkimCanonicalization value)
        {
            value = DkimCanonicalization.Simple;
            switch (s.Trim().ToLowerInvariant())
            {
                case "simple": return true;
                case "relaxed": value = DkimCanonicalization.Relaxed; return true;
                default: return false;
            }
        }
    }

    private static bool Number(string? text, out long? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }
        // RFC 6376: at most 12 digits for t= and x=, 76 for l=; anything longer is not a time we can honour.
        if (text.Length is 0 or > 18 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        value = long.Parse(text, CultureInfo.InvariantCulture);
        return true;
    }

    private static byte[]? Base64(string text)
    {
        // The exact length for padded base64 without whitespace (what StripWhitespace leaves), so the decoded bytes
        // need no second copy; anything else takes the general path.
        if (text.Length % 4 == 0)
        {
            var exact = new byte[text.Length / 4 * 3 - (text.EndsWith("==", StringComparison.Ordinal) ? 2 : text.EndsWith('=') ? 1 : 0)];
            if (Convert.TryFromBase64String(text, exact, out var written) && written == exact.Length)
            {
                return exact;
            }
        }
        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(text, buffer, out var n) ? buffer[..n] : null;
    }
}
