namespace SenderAuth.Dns.DnsSec;

/// <summary>Why an answer is bogus (or, for two of them, insecure); <see cref="DnssecReasons.Token"/> gives the stable token.</summary>
public enum DnssecReason
{
    /// <summary>No reason: the answer is secure.</summary>
    None,

    /// <summary>Every RRSIG that could verify has expired.</summary>
    SignatureExpired,

    /// <summary>Every RRSIG that could verify is not valid yet (inception in the future).</summary>
    SignatureNotYetValid,

    /// <summary>No trusted DNSKEY has the key tag and algorithm of the RRSIGs.</summary>
    NoMatchingKey,

    /// <summary>A trusted key with the right tag does not verify the signature.</summary>
    BadSignature,

    /// <summary>The parent's DS (or the trust anchor) matches no DNSKEY of the zone, or no DNSKEY came back.</summary>
    DsMismatch,

    /// <summary>Records of a zone whose chain of trust is secure came without an RRSIG.</summary>
    MissingRrsig,

    /// <summary>A signed denial that does not prove what it must (no NSEC/NSEC3 covering or matching the name).</summary>
    BadDenial,

    /// <summary>Insecure: the parent proves with a signed NSEC/NSEC3 that the zone has no DS (an unsigned delegation).</summary>
    NoDs,

    /// <summary>Insecure: every DS of the zone uses an algorithm or digest this validator does not implement (RFC 4035 §5.2).</summary>
    UnsupportedAlgorithm,

    /// <summary>Indeterminate: no trust anchor is at or above the name.</summary>
    NoTrustAnchor,

    /// <summary>Indeterminate: a needed answer did not come (timeout, SERVFAIL also with CD, a refusal).</summary>
    NoAnswer,
}

/// <summary>The RFC-style tokens of <see cref="DnssecReason"/>, written by this one mapping.</summary>
public static class DnssecReasons
{
    /// <summary>The kebab-case token (<c>signature-expired</c>, <c>no-ds</c>…); null for <see cref="DnssecReason.None"/>.</summary>
    public static string? Token(this DnssecReason reason) => reason switch
    {
        DnssecReason.None => null,
        DnssecReason.SignatureExpired => "signature-expired",
        DnssecReason.SignatureNotYetValid => "signature-not-yet-valid",
        DnssecReason.NoMatchingKey => "no-matching-key",
        DnssecReason.BadSignature => "bad-signature",
        DnssecReason.DsMismatch => "ds-mismatch",
        DnssecReason.MissingRrsig => "missing-rrsig",
        DnssecReason.BadDenial => "bad-denial",
        DnssecReason.NoDs => "no-ds",
        DnssecReason.UnsupportedAlgorithm => "unsupported-algorithm",
        DnssecReason.NoTrustAnchor => "no-trust-anchor",
        DnssecReason.NoAnswer => "no-answer",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

/// <summary>
/// What our own validation found for one name and type.
/// </summary>
/// <param name="Name">The name asked for (normalized).</param>
/// <param name="Status">Secure, Insecure (a proven unsigned delegation, or only unsupported algorithms), Bogus, or
/// Indeterminate (no anchor covers the name, or an answer did not come).</param>
/// <param name="Reason">Why it is not secure (<see cref="DnssecReason.None"/> when secure).</param>
/// <param name="Detail">One sentence naming the record set, zone and key where it failed.</param>
public sealed record DnssecValidation(string Name, DnssecStatus Status, DnssecReason Reason, string? Detail)
{
    /// <summary>The zone that decided the status: for secure answers the name's own zone (the signer), otherwise the
    /// zone where the chain breaks or the insecure delegation is.</summary>
    public string? Zone { get; init; }

    /// <summary>The zone that decided the status publishes signatures (signed, even if insecure or bogus).</summary>
    public bool ZoneSigned { get; init; }
}
