namespace SenderAuth.Spf;

/// <summary>The results of check_host(), RFC 7208 §2.6. Write them with <see cref="SpfTokens"/>, never ToString().</summary>
public enum SpfResult
{
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

/// <summary>Qualifier of a directive (RFC 7208 §4.6.2); the result a match produces.</summary>
public enum SpfQualifier
{
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

/// <summary>The one mapping between results and their RFC tokens.</summary>
public static class SpfTokens
{
    public static string Token(this SpfResult result) => result switch
    {
        SpfResult.None => "none",
        SpfResult.Neutral => "neutral",
        SpfResult.Pass => "pass",
        SpfResult.Fail => "fail",
        SpfResult.SoftFail => "softfail",
        SpfResult.TempError => "temperror",
        SpfResult.PermError => "permerror",
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    /// <summary>The identity checked, as RFC 7208 §9.1 writes it in Received-SPF: <c>mailfrom</c> or <c>helo</c>.</summary>
    public static string Token(this SpfIdentity identity) => identity switch
    {
        SpfIdentity.MailFrom => "mailfrom",
        SpfIdentity.Helo => "helo",
        _ => throw new ArgumentOutOfRangeException(nameof(identity)),
    };

    public static bool TryParse(string token, out SpfResult result)
    {
        foreach (var r in Enum.GetValues<SpfResult>())
        {
            if (string.Equals(r.Token(), token, StringComparison.OrdinalIgnoreCase))
            {
                result = r;
                return true;
            }
        }
        result = default;
        return false;
    }

    public static char Symbol(this SpfQualifier q) => q switch
    {
        SpfQualifier.Pass => '+',
        SpfQualifier.Fail => '-',
        SpfQualifier.SoftFail => '~',
        _ => '?',
    };

    public static SpfResult ToResult(this SpfQualifier q) => q switch
    {
        SpfQualifier.Pass => SpfResult.Pass,
        SpfQualifier.Fail => SpfResult.Fail,
        SpfQualifier.SoftFail => SpfResult.SoftFail,
        _ => SpfResult.Neutral,
    };
}

/// <summary>Stable kebab-case codes for <see cref="SpfReason"/> (JSON, logs).</summary>
public static class SpfReasonCodes
{
    public static string Code(this SpfReason reason) => reason switch
    {
        SpfReason.MechanismMatched => "mechanism-matched",
        SpfReason.NoMatch => "no-match",
        SpfReason.NoRecord => "no-record",
        SpfReason.InvalidDomain => "invalid-domain",
        SpfReason.MultipleRecords => "multiple-records",
        SpfReason.SyntaxError => "syntax-error",
        SpfReason.TooManyDnsLookups => "too-many-dns-lookups",
        SpfReason.TooManyVoidLookups => "too-many-void-lookups",
        SpfReason.TooManyMxNames => "too-many-mx-names",
        SpfReason.IncludeOrRedirectWithoutRecord => "include-without-record",
        SpfReason.DnsFailure => "dns-failure",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
