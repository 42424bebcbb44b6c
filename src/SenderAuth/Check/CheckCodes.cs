namespace SenderAuth.Check;

/// <summary>
/// Codes of check findings that code outside the checker matches on (the dashboard's DNSSEC word, the server's
/// rotation-aware rewrite of a revoked key): one definition for the producer and its consumers, so renaming a code
/// cannot silently break the match. Codes only shown to people stay literal where they are produced.
/// </summary>
public static class CheckCodes
{
    /// <summary>The domain's answers validate to a trust anchor.</summary>
    public const string DnssecSecure = "dnssec-secure";

    /// <summary>The zone is signed but its parent has no DS for it.</summary>
    public const string DnssecNoDs = "dnssec-no-ds";

    /// <summary>The zone is not signed.</summary>
    public const string DnssecUnsigned = "dnssec-unsigned";

    /// <summary>Validation fails for the domain.</summary>
    public const string DnssecBogus = "dnssec-bogus";

    /// <summary>A selector delegates to our key and the key is fine (the server's Ed25519 activation matches it).</summary>
    public const string DkimOk = "dkim-ok";

    /// <summary>A selector's key record has an empty <c>p=</c>.</summary>
    public const string DkimKeyRevoked = "dkim-key-revoked";

    /// <summary>
    /// The server's rewrite of <see cref="DkimKeyRevoked"/> for the idle selector after a rotation (revoked as
    /// planned, an info): produced by the server, which knows the rotation; listed here so the two codes stay together.
    /// </summary>
    public const string DkimIdleKeyRevoked = "dkim-idle-key-revoked";
}
