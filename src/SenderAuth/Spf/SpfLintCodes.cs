namespace SenderAuth.Spf;

/// <summary>
/// Codes of <see cref="SpfLinter"/> findings that code outside the linter matches on (the domain check maps them to
/// its own codes): one definition for the producer and its consumers, so renaming a code cannot silently break the
/// match. Codes only shown to people stay literal where they are produced.
/// </summary>
public static class SpfLintCodes
{
    /// <summary>A DNS lookup failed, so the policy could not be checked completely.</summary>
    public const string DnsFailure = "dns-failure";

    /// <summary>The record does not parse.</summary>
    public const string SyntaxError = "syntax-error";

    /// <summary>More DNS-querying terms than RFC 7208 §4.6.4 allows.</summary>
    public const string TooManyLookups = "too-many-lookups";

    /// <summary>More void lookups than RFC 7208 §4.6.4 allows.</summary>
    public const string TooManyVoidLookups = "too-many-void-lookups";

    /// <summary>The record ends in <c>+all</c>.</summary>
    public const string PlusAll = "plus-all";

    /// <summary>The record ends in <c>?all</c>.</summary>
    public const string NeutralAll = "neutral-all";

    /// <summary>The record ends in <c>~all</c>.</summary>
    public const string SoftfailAll = "softfail-all";

    /// <summary>The record has neither <c>all</c> nor <c>redirect</c>.</summary>
    public const string NoAll = "no-all";

    /// <summary>The record uses the <c>ptr</c> mechanism.</summary>
    public const string Ptr = "ptr";

    /// <summary>An include or redirect names a domain without an SPF record.</summary>
    public const string IncludeWithoutRecord = "include-without-record";

    /// <summary>An include names a domain already being evaluated.</summary>
    public const string IncludeLoop = "include-loop";
}
