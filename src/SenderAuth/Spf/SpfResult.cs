namespace SenderAuth.Spf;

/// <summary>The results of check_host(), RFC 7208 §2.6. Write them with <see cref="SpfTokens"/>, never ToString().</summary>
public enum SpfResult
{
    /// <summary>No SPF record, or no valid domain to check: nothing can be said.</summary>
    None,
    /// <summary>The domain says nothing about this client (<c>?</c>); treat as none.</summary>
    Neutral,
    /// <summary>The client is authorized to use the domain.</summary>
    Pass,
    /// <summary>The client is not authorized (<c>-</c>); the domain asks for rejection.</summary>
    Fail,
    /// <summary>Probably not authorized (<c>~</c>); accept but mark.</summary>
    SoftFail,
    /// <summary>A DNS error on the way; retry later (SMTP 4xx).</summary>
    TempError,
    /// <summary>The record is broken (syntax, lookup limits): the domain must fix it.</summary>
    PermError,
}

/// <summary>Qualifier of a directive (RFC 7208 §4.6.2); the result a match produces.</summary>
public enum SpfQualifier
{
    /// <c>+</c> (the default): a match is pass.
    Pass,
    /// <c>-</c>: a match is fail.
    Fail,
    /// <c>~</c>: a match is softfail.
    SoftFail,
    /// <c>?</c>: a match is neutral.
    Neutral,
}

/// <summary>The one mapping between results and their RFC tokens.</summary>
public static class SpfTokens
{
    /// <summary>The RFC 7208 §2.6 token: <c>pass</c>, <c>softfail</c>, <c>permerror</c>…</summary>
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

    /// <summary>Reads an RFC 7208 token, any case; false for anything else.</summary>
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

    /// <summary>The qualifier character: <c>+</c>, <c>-</c>, <c>~</c> or <c>?</c>.</summary>
    public static char Symbol(this SpfQualifier q) => q switch
    {
        SpfQualifier.Pass => '+',
        SpfQualifier.Fail => '-',
        SpfQualifier.SoftFail => '~',
        _ => '?',
    };

    /// <summary>The result a directive with this qualifier produces when it matches.</summary>
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
    /// <summary>The stable kebab-case code for JSON and logs.</summary>
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
        SpfReason.LimitExceeded => "limit-exceeded",
        SpfReason.IncludeOrRedirectWithoutRecord => "include-without-record",
        SpfReason.DnsFailure => "dns-failure",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
