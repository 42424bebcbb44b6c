namespace SenderAuth.Dkim;

/// <summary>DKIM method results of RFC 8601 §2.7.1. Write them with <see cref="DkimTokens.Token"/>.</summary>
public enum DkimResult
{
    None,
    Pass,
    Fail,
    Neutral,
    Policy,
    TempError,
    PermError,
}

/// <summary>Why a signature got its result: stable codes (see <see cref="DkimTokens.Code"/>).</summary>
public enum DkimReason
{
    Verified,
    BodyHashMismatch,
    SignatureMismatch,
    KeyRevoked,
    KeyTooShort,
    Sha1Refused,
    Expired,
    FutureTimestamp,
    IdentityNotInDomain,
    FromNotSigned,
    MalformedSignature,
    UnsupportedVersion,
    UnsupportedAlgorithm,
    UnsupportedCanonicalization,
    UnsupportedQueryMethod,
    KeyNotFound,
    MalformedKey,
    KeyAlgorithmMismatch,
    KeyHashNotAllowed,
    KeyServiceNotEmail,
    KeyStrictIdentityMismatch,
    DnsFailure,
    UnsignedBodyRemainder,
    MultipleFrom,
    MalformedMessage,
    TooManySignatures,
}

public static class DkimTokens
{
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
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
