namespace SenderAuth.Dkim;

/// <summary>DKIM method results of RFC 8601 §2.7.1. Write them with <see cref="DkimTokens.Token(DkimResult)"/>.</summary>
public enum DkimResult
{
    /// <summary>No DKIM-Signature field to evaluate (RFC 8601 §2.7.1: the message was not signed).</summary>
    None,
    /// <summary>The signature verified against the key published for d= and s=.</summary>
    Pass,
    /// <summary>The signature did not verify: the signed headers or the body changed after signing, or l= left content unsigned.</summary>
    Fail,
    /// <summary>The signature could not be judged either way; not produced by this verifier, kept for the RFC vocabulary.</summary>
    Neutral,
    /// <summary>The signature verified but is refused by local policy (rsa-sha1, an RSA key below the floor, several From fields).</summary>
    Policy,
    /// <summary>The key could not be fetched (DNS timeout or SERVFAIL); retrying later may give another result.</summary>
    TempError,
    /// <summary>The signature or its key record is unusable (malformed, unsupported, expired, revoked, absent); retrying will not help.</summary>
    PermError,
}

/// <summary>Why a signature got its result: stable codes (see <see cref="DkimTokens.Code(DkimReason)"/>).</summary>
public enum DkimReason
{
    /// <summary>Headers and body verified (result pass).</summary>
    Verified,
    /// <summary>The canonical body does not hash to bh=, or l= is longer than the body: the body was changed.</summary>
    BodyHashMismatch,
    /// <summary>The body hash matched but b= does not verify: a signed header changed, or the key does not match.</summary>
    SignatureMismatch,
    /// <summary>The key record has an empty p= (RFC 6376 §3.6.1): the signer revoked the key.</summary>
    KeyRevoked,
    /// <summary>An RSA key below <see cref="DkimVerifierOptions"/>'s minimum (RFC 8301 §3.2 requires 1024 bits); result policy.</summary>
    KeyTooShort,
    /// <summary>a=rsa-sha1, which RFC 8301 §3.1 forbids verifiers to accept; result policy.</summary>
    Sha1Refused,
    /// <summary>x= is in the past (RFC 6376 §3.5), allowing for the configured clock skew.</summary>
    Expired,
    /// <summary>t= is in the future beyond the allowed clock skew.</summary>
    FutureTimestamp,
    /// <summary>i= is not d= or a subdomain of it (RFC 6376 §3.5).</summary>
    IdentityNotInDomain,
    /// <summary>h= does not include From, which RFC 6376 §5.4 requires.</summary>
    FromNotSigned,
    /// <summary>The DKIM-Signature field breaks RFC 6376 §3.5: a missing or invalid tag, a bad name, x= before t=.</summary>
    MalformedSignature,
    /// <summary>v= is not 1.</summary>
    UnsupportedVersion,
    /// <summary>a= names an algorithm other than rsa-sha256, ed25519-sha256 or rsa-sha1.</summary>
    UnsupportedAlgorithm,
    /// <summary>c= names a canonicalization other than simple or relaxed.</summary>
    UnsupportedCanonicalization,
    /// <summary>q= asks for a key retrieval method other than dns/txt.</summary>
    UnsupportedQueryMethod,
    /// <summary>No key record at <c>selector._domainkey.domain</c> (NXDOMAIN or no TXT record).</summary>
    KeyNotFound,
    /// <summary>The key record does not parse, or p= is not a key of the stated type.</summary>
    MalformedKey,
    /// <summary>The key record's k= does not match the signature's algorithm (RSA key, Ed25519 signature or the reverse).</summary>
    KeyAlgorithmMismatch,
    /// <summary>The key record's h= does not allow the signature's hash.</summary>
    KeyHashNotAllowed,
    /// <summary>The key record's s= names neither <c>email</c> nor <c>*</c>.</summary>
    KeyServiceNotEmail,
    /// <summary>The key record says t=s but i= is a subdomain of d= (RFC 6376 §3.6.1).</summary>
    KeyStrictIdentityMismatch,
    /// <summary>The key lookup timed out or failed (result temperror).</summary>
    DnsFailure,
    /// <summary>l= leaves body bytes unsigned and the options refuse that (content anyone could append).</summary>
    UnsignedBodyRemainder,
    /// <summary>The signature verified but the message has several From fields, so a reader could be shown an unsigned one.</summary>
    MultipleFrom,
    /// <summary>The message itself cannot be read as RFC 5322 (header limits exceeded, no header/body separator).</summary>
    MalformedMessage,
    /// <summary>More DKIM-Signature fields than the options allow; those past the limit were not checked.</summary>
    TooManySignatures,
    /// <summary>A header line that parsers read differently touches a field the signature covers (result permerror):
    /// the signature may hold for one reading while a mail client shows another (<see cref="Mail.HeaderAmbiguity"/>).</summary>
    AmbiguousHeader,
}

/// <summary>The one mapping of DKIM results and reasons to the words written in headers and JSON; never use <c>ToString()</c>.</summary>
public static class DkimTokens
{
    /// <summary>The RFC 8601 result token: <c>pass</c>, <c>fail</c>, <c>temperror</c>…</summary>
    public static string Token(this DkimResult result) => result switch
    {
        DkimResult.None => "none",
        DkimResult.Pass => "pass",
        DkimResult.Fail => "fail",
        DkimResult.Neutral => "neutral",
        DkimResult.Policy => "policy",
        DkimResult.TempError => "temperror",
        DkimResult.PermError => "permerror",
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    /// <summary>The stable kebab-case reason code (<c>body-hash-mismatch</c>, <c>key-revoked</c>…) for JSON and logs.</summary>
    public static string Code(this DkimReason reason) => reason switch
    {
        DkimReason.Verified => "verified",
        DkimReason.BodyHashMismatch => "body-hash-mismatch",
        DkimReason.SignatureMismatch => "signature-mismatch",
        DkimReason.KeyRevoked => "key-revoked",
        DkimReason.KeyTooShort => "key-too-short",
        DkimReason.Sha1Refused => "sha1-refused",
        DkimReason.Expired => "signature-expired",
        DkimReason.FutureTimestamp => "timestamp-in-future",
        DkimReason.IdentityNotInDomain => "identity-not-in-domain",
        DkimReason.FromNotSigned => "from-not-signed",
        DkimReason.MalformedSignature => "malformed-signature",
        DkimReason.UnsupportedVersion => "unsupported-version",
        DkimReason.UnsupportedAlgorithm => "unsupported-algorithm",
        DkimReason.UnsupportedCanonicalization => "unsupported-canonicalization",
        DkimReason.UnsupportedQueryMethod => "unsupported-query-method",
        DkimReason.KeyNotFound => "key-not-found",
        DkimReason.MalformedKey => "malformed-key",
        DkimReason.KeyAlgorithmMismatch => "key-algorithm-mismatch",
        DkimReason.KeyHashNotAllowed => "key-hash-not-allowed",
        DkimReason.KeyServiceNotEmail => "key-service-not-email",
        DkimReason.KeyStrictIdentityMismatch => "key-strict-identity-mismatch",
        DkimReason.DnsFailure => "dns-failure",
        DkimReason.UnsignedBodyRemainder => "unsigned-body-remainder",
        DkimReason.MultipleFrom => "multiple-from",
        DkimReason.MalformedMessage => "malformed-message",
        DkimReason.TooManySignatures => "too-many-signatures",
        DkimReason.AmbiguousHeader => "ambiguous-header",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>The k= token of a key type (RFC 6376 §3.6.1, RFC 8463 §4): <c>rsa</c>, <c>ed25519</c>; also the word stored and written in JSON.</summary>
    public static string Token(this DkimKeyType type) => type switch
    {
        DkimKeyType.Rsa => "rsa",
        DkimKeyType.Ed25519 => "ed25519",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The key type whose k= token is exactly <paramref name="token"/> (case-sensitive, as RFC 6376 writes it); false for any other word.</summary>
    public static bool TryParseKeyType(string? token, out DkimKeyType type)
    {
        switch (token)
        {
            case "rsa": type = DkimKeyType.Rsa; return true;
            case "ed25519": type = DkimKeyType.Ed25519; return true;
            default: type = default; return false;
        }
    }

    /// <summary>The stable kebab-case code of a signer's refusal (<c>ambiguous-header</c>, <c>multiple-from</c>…).</summary>
    public static string Code(this DkimSignRefusal refusal) => refusal switch
    {
        DkimSignRefusal.UnreadableMessage => "unreadable-message",
        DkimSignRefusal.NoFrom => "no-from",
        DkimSignRefusal.MultipleFrom => "multiple-from",
        DkimSignRefusal.UnreadableFrom => "unreadable-from",
        DkimSignRefusal.MultipleAuthorAddresses => "multiple-author-addresses",
        DkimSignRefusal.AmbiguousHeader => "ambiguous-header",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
    };
}
