namespace SenderAuth.Dmarc;

/// <summary>
/// Codes of <see cref="DmarcLinter"/> findings that code outside the linter matches on (the domain check answers
/// them with its own findings and records): one definition for the producer and its consumers, so renaming a code
/// cannot silently break the match. Codes only shown to people stay literal where they are produced.
/// </summary>
public static class DmarcLintCodes
{
    /// <summary>No DMARC record applies to the domain (nor to its parents).</summary>
    public const string NoRecord = "no-record";

    /// <summary>A DMARC record is published at the domain itself instead of <c>_dmarc.</c> the domain.</summary>
    public const string WrongName = "wrong-name";

    /// <summary>A DNS lookup failed, so the policy could not be checked completely.</summary>
    public const string DnsFailure = "dns-failure";
}
