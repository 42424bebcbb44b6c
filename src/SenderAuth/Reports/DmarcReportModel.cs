using System.Net;

namespace SenderAuth.Reports;

/// <summary>
/// Everything in a DMARC aggregate report that precedes its records: <c>version</c>, <c>report_metadata</c> and
/// <c>policy_published</c>. Available as soon as a <see cref="DmarcReportReader"/> is open, before any record.
/// </summary>
/// <param name="Namespace">The root element's namespace URI: empty (most reporters), <c>http://dmarc.org/dmarc-xml/0.1</c>
/// (RFC 7489 Appendix C) or <c>urn:ietf:params:xml:ns:dmarc-2.0</c> (RFC 9990).</param>
/// <param name="Version">The <c>version</c> element as written (<c>1.0</c>), or null when absent.</param>
/// <param name="Metadata">Who reported and for which period.</param>
/// <param name="Policy">The DMARC record the reporter found.</param>
public sealed record DmarcReportHeader(string Namespace, string? Version, DmarcReportMetadata Metadata, DmarcPolicyPublished Policy);

/// <summary><c>report_metadata</c> (RFC 9990 §3.1.1, RFC 7489 Appendix C).</summary>
/// <param name="ReportId">Trimmed; unique per reporter.</param>
/// <param name="Begin">From <c>date_range/begin</c>, Unix seconds, UTC.</param>
/// <param name="End">From <c>date_range/end</c>, Unix seconds, UTC.</param>
/// <param name="Errors">The reporter's <c>error</c> elements, in order.</param>
/// <param name="Generator">RFC 9990 <c>generator</c>: the software that wrote the report.</param>
/// <param name="OrgName">The reporting organization, e.g. <c>google.com</c>.</param>
/// <param name="Email">Its contact address, when given.</param>
/// <param name="ExtraContactInfo">More contact information, when given.</param>
public sealed record DmarcReportMetadata(
    string OrgName, string? Email, string? ExtraContactInfo, string ReportId, DateTimeOffset Begin, DateTimeOffset End,
    IReadOnlyList<string> Errors, string? Generator);

/// <summary><c>policy_published</c>: the DMARC record the reporter found. Absent tags are null (their defaults apply).</summary>
/// <param name="Policy"><c>p</c>.</param>
/// <param name="SubdomainPolicy"><c>sp</c>.</param>
/// <param name="NonExistentSubdomainPolicy"><c>np</c> (RFC 9091, RFC 9990).</param>
/// <param name="Percent"><c>pct</c> (RFC 7489 only; removed by RFC 9989).</param>
/// <param name="FailureOptions"><c>fo</c> as written.</param>
/// <param name="Testing">RFC 9990 <c>testing</c> (<c>t=y</c>).</param>
/// <param name="DiscoveryMethod">RFC 9990 <c>discovery_method</c>: <c>psl</c> or <c>treewalk</c>, as written.</param>
/// <param name="Domain">The domain the policy was found at.</param>
/// <param name="DkimAlignment"><c>adkim</c>.</param>
/// <param name="SpfAlignment"><c>aspf</c>.</param>
public sealed record DmarcPolicyPublished(
    string Domain, DmarcDisposition? Policy, DmarcDisposition? SubdomainPolicy, DmarcDisposition? NonExistentSubdomainPolicy,
    DmarcAlignmentMode? DkimAlignment, DmarcAlignmentMode? SpfAlignment, int? Percent, string? FailureOptions, bool? Testing,
    string? DiscoveryMethod);

/// <summary>
/// One <c>record</c>: a group of <see cref="Count"/> messages from <see cref="SourceIp"/> that got the same
/// evaluation. <see cref="Dkim"/> and <see cref="Spf"/> are the DMARC-aligned results of <c>policy_evaluated</c>;
/// <see cref="DkimResults"/> and <see cref="SpfResults"/> are the raw <c>auth_results</c>, uninterpreted.
/// </summary>
/// <param name="SourceIp">The sending IP address.</param>
/// <param name="Count">How many messages the row stands for.</param>
/// <param name="Disposition">What the reporter did with them.</param>
/// <param name="Dkim">DMARC-aligned DKIM result.</param>
/// <param name="Spf">DMARC-aligned SPF result.</param>
/// <param name="Reasons">Why the disposition differs from the policy, when it does.</param>
/// <param name="HeaderFrom">The RFC 5322.From domain.</param>
/// <param name="EnvelopeFrom">The RFC 5321.MailFrom domain, when reported.</param>
/// <param name="EnvelopeTo">The recipient domain, when reported.</param>
/// <param name="DkimResults">Raw DKIM results, one per signature.</param>
/// <param name="SpfResults">Raw SPF results, one per identity checked.</param>
public sealed record DmarcReportRecord(
    IPAddress SourceIp, long Count, DmarcDisposition Disposition, DmarcAlignmentResult Dkim, DmarcAlignmentResult Spf,
    IReadOnlyList<DmarcPolicyOverrideReason> Reasons, string HeaderFrom, string? EnvelopeFrom, string? EnvelopeTo,
    IReadOnlyList<DmarcDkimAuthResult> DkimResults, IReadOnlyList<DmarcSpfAuthResult> SpfResults)
{
    /// <summary>DMARC passes when either aligned result passes (RFC 7489 §4.2).</summary>
    public bool DmarcPass => Dkim == DmarcAlignmentResult.Pass || Spf == DmarcAlignmentResult.Pass;
}

/// <summary><c>policy_evaluated/reason</c>: why the applied disposition differs from the published policy.</summary>
/// <param name="Type">The reason type.</param>
/// <param name="Comment">The reporter's free text, when given.</param>
public sealed record DmarcPolicyOverrideReason(DmarcPolicyOverride Type, string? Comment);

/// <summary><c>auth_results/dkim</c>: one signature's result; <c>selector</c> is optional in RFC 7489, required in RFC 9990.</summary>
/// <param name="Domain">d= of the signature.</param>
/// <param name="Selector">s= of the signature, when reported.</param>
/// <param name="Result">The raw DKIM result.</param>
/// <param name="HumanResult">The reporter's free text, when given.</param>
public sealed record DmarcDkimAuthResult(string Domain, string? Selector, DmarcAuthResult Result, string? HumanResult);

/// <summary><c>auth_results/spf</c>: the SPF result for one identity; <c>scope</c> is optional.</summary>
/// <param name="Domain">The domain checked.</param>
/// <param name="Scope">Which identity it was, when reported.</param>
/// <param name="Result">The raw SPF result.</param>
/// <param name="HumanResult">The reporter's free text, when given.</param>
public sealed record DmarcSpfAuthResult(string Domain, DmarcSpfScope? Scope, DmarcAuthResult Result, string? HumanResult);

/// <summary>
/// Published policies (<c>p</c>, <c>sp</c>, <c>np</c>) and applied dispositions. <see cref="Pass"/> is RFC 9990's
/// "passed DMARC under an enforcing policy"; <see cref="Unknown"/> is any other token (reported as a warning).
/// </summary>
public enum DmarcDisposition
{
    /// <c>none</c>: delivered as usual (published p=none, or the policy was not applied).
    None,
    /// <c>pass</c> (RFC 9990): passed DMARC under an enforcing policy.
    Pass,
    /// <c>quarantine</c>: treated as suspicious.
    Quarantine,
    /// <c>reject</c>: refused.
    Reject,
    /// <summary>Any other token the reporter wrote; reported as a warning.</summary>
    Unknown,
}

/// <summary>The DMARC-aligned result of <c>policy_evaluated/dkim</c> and <c>/spf</c>.</summary>
public enum DmarcAlignmentResult
{
    /// <c>pass</c>: the mechanism passed for an aligned domain.
    Pass,
    /// <c>fail</c>: it did not pass aligned.
    Fail,
    /// <summary>Any other token the reporter wrote.</summary>
    Unknown,
}

/// <summary><c>adkim</c> / <c>aspf</c>: <c>r</c> or <c>s</c>.</summary>
// Not Dmarc.DmarcAlignmentMode: that one is written `relaxed` / `strict` and has no Unknown; see the comment there.
public enum DmarcAlignmentMode
{
    /// <c>r</c> (also read from <c>relaxed</c>).
    Relaxed,
    /// <c>s</c> (also read from <c>strict</c>).
    Strict,
    /// <summary>Any other token the reporter wrote.</summary>
    Unknown,
}

/// <summary>
/// Raw SPF and DKIM results in <c>auth_results</c> (RFC 8601 words). The legacy SPF words <c>unknown</c> and
/// <c>error</c>, which some reporters still write, read as <see cref="TempError"/> and <see cref="PermError"/>.
/// </summary>
public enum DmarcAuthResult
{
    /// <c>none</c>: no signature, or no SPF record.
    None,
    /// <c>pass</c>.
    Pass,
    /// <c>fail</c> (also read from <c>hardfail</c>).
    Fail,
    /// <c>softfail</c> (SPF only).
    SoftFail,
    /// <c>neutral</c>.
    Neutral,
    /// <c>policy</c>: verified but refused by the reporter's local policy (DKIM).
    Policy,
    /// <c>temperror</c> (also read from the legacy <c>unknown</c>).
    TempError,
    /// <c>permerror</c> (also read from the legacy <c>error</c>).
    PermError,
    /// <summary>Any other token the reporter wrote.</summary>
    Unknown,
}

/// <summary><c>auth_results/spf/scope</c>.</summary>
public enum DmarcSpfScope
{
    /// <c>mfrom</c>: the MAIL FROM identity.
    MailFrom,
    /// <c>helo</c>: the HELO identity.
    Helo,
    /// <summary>Any other token the reporter wrote.</summary>
    Unknown,
}

/// <summary>
/// <c>PolicyOverrideType</c>: RFC 7489's six values plus RFC 9990's <c>policy_test_mode</c>.
/// </summary>
public enum DmarcPolicyOverride
{
    /// <c>forwarded</c>: the message came through a known forwarder.
    Forwarded,
    /// <c>sampled_out</c>: left out by pct (RFC 7489).
    SampledOut,
    /// <c>trusted_forwarder</c>: a forwarder the receiver trusts (e.g. by ARC).
    TrustedForwarder,
    /// <c>mailing_list</c>: a mailing list changed the message.
    MailingList,
    /// <c>local_policy</c>: the receiver chose otherwise.
    LocalPolicy,
    /// <c>policy_test_mode</c> (RFC 9990): t=y asked for a softer disposition.
    PolicyTestMode,
    /// <c>other</c>: see the comment.
    Other,
    /// <summary>Any other token the reporter wrote.</summary>
    Unknown,
}

/// <summary>The one mapping between report enums and the XML tokens (also used for JSON). Never <c>ToString()</c>.</summary>
public static class DmarcReportTokens
{
    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcDisposition value) => value switch
    {
        DmarcDisposition.None => "none",
        DmarcDisposition.Pass => "pass",
        DmarcDisposition.Quarantine => "quarantine",
        DmarcDisposition.Reject => "reject",
        DmarcDisposition.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcAlignmentResult value) => value switch
    {
        DmarcAlignmentResult.Pass => "pass",
        DmarcAlignmentResult.Fail => "fail",
        DmarcAlignmentResult.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcAlignmentMode value) => value switch
    {
        DmarcAlignmentMode.Relaxed => "r",
        DmarcAlignmentMode.Strict => "s",
        DmarcAlignmentMode.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcAuthResult value) => value switch
    {
        DmarcAuthResult.None => "none",
        DmarcAuthResult.Pass => "pass",
        DmarcAuthResult.Fail => "fail",
        DmarcAuthResult.SoftFail => "softfail",
        DmarcAuthResult.Neutral => "neutral",
        DmarcAuthResult.Policy => "policy",
        DmarcAuthResult.TempError => "temperror",
        DmarcAuthResult.PermError => "permerror",
        DmarcAuthResult.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcSpfScope value) => value switch
    {
        DmarcSpfScope.MailFrom => "mfrom",
        DmarcSpfScope.Helo => "helo",
        DmarcSpfScope.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The XML token for <paramref name="value"/>, as RFC 9990 writes it (also the JSON value).</summary>
    public static string Token(this DmarcPolicyOverride value) => value switch
    {
        DmarcPolicyOverride.Forwarded => "forwarded",
        DmarcPolicyOverride.SampledOut => "sampled_out",
        DmarcPolicyOverride.TrustedForwarder => "trusted_forwarder",
        DmarcPolicyOverride.MailingList => "mailing_list",
        DmarcPolicyOverride.LocalPolicy => "local_policy",
        DmarcPolicyOverride.PolicyTestMode => "policy_test_mode",
        DmarcPolicyOverride.Other => "other",
        DmarcPolicyOverride.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    // Parsers work on spans so the hot path allocates no string for a token. Case-insensitive: reporters vary.
    internal static DmarcDisposition ParseDisposition(ReadOnlySpan<char> s) =>
        Eq(s, "none") ? DmarcDisposition.None
        : Eq(s, "pass") ? DmarcDisposition.Pass
        : Eq(s, "quarantine") ? DmarcDisposition.Quarantine
        : Eq(s, "reject") ? DmarcDisposition.Reject
        : DmarcDisposition.Unknown;

    internal static DmarcAlignmentResult ParseAlignmentResult(ReadOnlySpan<char> s) =>
        Eq(s, "pass") ? DmarcAlignmentResult.Pass : Eq(s, "fail") ? DmarcAlignmentResult.Fail : DmarcAlignmentResult.Unknown;

    internal static DmarcAlignmentMode ParseAlignmentMode(ReadOnlySpan<char> s) =>
        Eq(s, "r") || Eq(s, "relaxed") ? DmarcAlignmentMode.Relaxed
        : Eq(s, "s") || Eq(s, "strict") ? DmarcAlignmentMode.Strict
        : DmarcAlignmentMode.Unknown;

    internal static DmarcAuthResult ParseAuthResult(ReadOnlySpan<char> s) =>
        Eq(s, "pass") ? DmarcAuthResult.Pass
        : Eq(s, "fail") || Eq(s, "hardfail") ? DmarcAuthResult.Fail
        : Eq(s, "none") ? DmarcAuthResult.None
        : Eq(s, "softfail") ? DmarcAuthResult.SoftFail
        : Eq(s, "neutral") ? DmarcAuthResult.Neutral
        : Eq(s, "policy") ? DmarcAuthResult.Policy
        : Eq(s, "temperror") || Eq(s, "unknown") ? DmarcAuthResult.TempError
        : Eq(s, "permerror") || Eq(s, "error") ? DmarcAuthResult.PermError
        : DmarcAuthResult.Unknown;

    internal static DmarcSpfScope ParseSpfScope(ReadOnlySpan<char> s) =>
        Eq(s, "mfrom") ? DmarcSpfScope.MailFrom : Eq(s, "helo") ? DmarcSpfScope.Helo : DmarcSpfScope.Unknown;

    internal static DmarcPolicyOverride ParsePolicyOverride(ReadOnlySpan<char> s) =>
        Eq(s, "forwarded") ? DmarcPolicyOverride.Forwarded
        : Eq(s, "sampled_out") ? DmarcPolicyOverride.SampledOut
        : Eq(s, "trusted_forwarder") ? DmarcPolicyOverride.TrustedForwarder
        : Eq(s, "mailing_list") ? DmarcPolicyOverride.MailingList
        : Eq(s, "local_policy") ? DmarcPolicyOverride.LocalPolicy
        : Eq(s, "policy_test_mode") ? DmarcPolicyOverride.PolicyTestMode
        : Eq(s, "other") ? DmarcPolicyOverride.Other
        : DmarcPolicyOverride.Unknown;

    private static bool Eq(ReadOnlySpan<char> s, string token) => s.Equals(token, StringComparison.OrdinalIgnoreCase);
}
