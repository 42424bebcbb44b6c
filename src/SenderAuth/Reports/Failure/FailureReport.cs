using System.Net;

namespace SenderAuth.Reports.Failure;

/// <summary>How a failure report was written.</summary>
public enum FailureReportFormat
{
    /// <summary>RFC 5965 ARF: <c>multipart/report; report-type=feedback-report</c> with a <c>message/feedback-report</c> part.</summary>
    Arf,

    /// <summary>No machine-readable part (plain text from some MTAs): read from the text and the included headers, with a warning.</summary>
    PlainText,
}

/// <summary>The word for a <see cref="FailureReportFormat"/> in storage, JSON and the dashboard: <c>arf</c>, <c>plain-text</c>.</summary>
public static class FailureReportFormatTokens
{
    /// <summary>The format's word.</summary>
    public static string Token(this FailureReportFormat format) => format switch
    {
        FailureReportFormat.Arf => "arf",
        FailureReportFormat.PlainText => "plain-text",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The format a word names.</summary>
    /// <exception cref="FormatException">Not a format's word.</exception>
    public static FailureReportFormat Parse(string token) => token switch
    {
        "arf" => FailureReportFormat.Arf,
        "plain-text" => FailureReportFormat.PlainText,
        _ => throw new FormatException($"\"{token}\" is not a failure report format (arf, plain-text)"),
    };
}

/// <summary>
/// The codes of failure report warnings (docs/reports.md, "Failure reports"). A warning is a
/// <see cref="DmarcReportWarning"/>, as for aggregate reports, at position <c>report</c> (its message names the field).
/// </summary>
public static class FailureReportWarningCodes
{
    /// <summary>No message/feedback-report part: read from the text and the included headers.</summary>
    public const string NoArfPart = "no-arf-part";
    /// <summary>The feedback part is not inside multipart/report; report-type=feedback-report.</summary>
    public const string NotMultipartReport = "not-multipart-report";
    /// <summary>A field RFC 5965 or RFC 6591 requires is absent (or no source IP in plain text).</summary>
    public const string MissingField = "missing-field";
    /// <summary>Auth-Failure is none of the RFC 6591 and RFC 9991 tokens.</summary>
    public const string UnknownAuthFailure = "unknown-auth-failure";
    /// <summary>Delivery-Result is none of RFC 6591's tokens.</summary>
    public const string UnknownDeliveryResult = "unknown-delivery-result";
    /// <summary>Identity-Alignment is not none or a list of dkim and spf.</summary>
    public const string UnknownIdentityAlignment = "unknown-identity-alignment";
    /// <summary>Source-IP is not an IP address.</summary>
    public const string InvalidSourceIp = "invalid-source-ip";
    /// <summary>Arrival-Date is not an RFC 5322 date.</summary>
    public const string InvalidArrivalDate = "invalid-arrival-date";
    /// <summary>A domain field is not a domain name.</summary>
    public const string InvalidDomain = "invalid-domain";
    /// <summary>A field that may appear once appears again: the first is read.</summary>
    public const string RepeatedField = "repeated-field";
    /// <summary>A field value over MaxFieldChars was cut.</summary>
    public const string FieldTruncated = "field-truncated";
    /// <summary>The reported headers past MaxHeaderBytes were dropped.</summary>
    public const string HeadersTruncated = "headers-truncated";
    /// <summary>No message/rfc822 or text/rfc822-headers part.</summary>
    public const string NoReportedMessage = "no-reported-message";
    /// <summary>More warnings than kept: this one counts the rest.</summary>
    public const string WarningsTruncated = "warnings-truncated";
}

/// <summary>
/// One DMARC failure report (RFC 9991, sent as RFC 5965 ARF with RFC 6591's auth-failure fields): what the reporter
/// says about one message that failed authentication, and the headers of that message. Never its body.
/// </summary>
/// <remarks>
/// Security and privacy: the reported message's body, any attachment of it and the <c>DKIM-Canonicalized-Body</c>
/// field (a base64 copy of the body) are dropped while reading; <see cref="BodyRedacted"/> says one was there.
/// <see cref="Headers"/> is bounded by <see cref="FailureReportLimits.MaxHeaderBytes"/>.
/// </remarks>
public sealed record FailureReport
{
    /// <summary>ARF or plain text.</summary>
    public FailureReportFormat Format { get; init; }

    /// <summary>The report mail's own From address (who sent the report), lower case; null when absent.</summary>
    public string? Reporter { get; init; }

    /// <summary>Feedback-Type (RFC 5965 §3.1), lower case: <c>auth-failure</c> for every report read here; null without ARF.</summary>
    public string? FeedbackType { get; init; }

    /// <summary>Auth-Failure (RFC 6591 §3.2.2): <c>dmarc</c>, <c>spf</c>, <c>signature</c>, <c>bodyhash</c>, <c>revoked</c>, <c>adsp</c>; null when absent.</summary>
    public string? AuthFailure { get; init; }

    /// <summary>The domain the report is about: Reported-Domain, else the reported message's From domain, else DKIM-Domain.</summary>
    public required string ReportedDomain { get; init; }

    /// <summary>Source-IP, or for plain text the address a Source-IP line or the topmost Received field names.</summary>
    public IPAddress? SourceIp { get; init; }

    /// <summary>The reported message's From domain (RFC5322.From), lower case.</summary>
    public string? HeaderFrom { get; init; }

    /// <summary>Original-Mail-From (RFC5321.MailFrom) without angle brackets; empty for the null sender.</summary>
    public string? MailFrom { get; init; }

    /// <summary>Original-Rcpt-To values.</summary>
    public IReadOnlyList<string> RcptTo { get; init; } = [];

    /// <summary>DKIM-Domain, else the first DKIM-Signature's d= in the reported headers.</summary>
    public string? DkimDomain { get; init; }

    /// <summary>DKIM-Selector, else the first DKIM-Signature's s=.</summary>
    public string? DkimSelector { get; init; }

    /// <summary>DKIM-Identity (the i= of the failing signature).</summary>
    public string? DkimIdentity { get; init; }

    /// <summary>SPF-DNS: the SPF record the reporter saw.</summary>
    public string? SpfDns { get; init; }

    /// <summary>Authentication-Results of the report (else of the reported headers), one per field.</summary>
    public IReadOnlyList<string> AuthenticationResults { get; init; } = [];

    /// <summary>Arrival-Date (RFC 5322 date), else the reported headers' Date.</summary>
    public DateTimeOffset? ArrivalDate { get; init; }

    /// <summary>Identity-Alignment (RFC 9991): <c>none</c> or <c>dkim</c> and/or <c>spf</c>, as written (lower case).</summary>
    public string? IdentityAlignment { get; init; }

    /// <summary>Delivery-Result (RFC 6591 §3.2.2): delivered, spam, policy, reject, other.</summary>
    public string? DeliveryResult { get; init; }

    /// <summary>Reported-URI values.</summary>
    public IReadOnlyList<string> ReportedUris { get; init; } = [];

    /// <summary>User-Agent of the reporting software.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The reported message's Message-ID, without angle brackets.</summary>
    public string? MessageId { get; init; }

    /// <summary>The reported message's header fields as received (folded lines, CRLF), bounded; never the body.</summary>
    public required string Headers { get; init; }

    /// <summary>The report carried the reported message's body (or DKIM-Canonicalized-Body): it was dropped.</summary>
    public bool BodyRedacted { get; init; }

    /// <summary>Recoveries and oddities, at most <see cref="FailureReportLimits.MaxWarnings"/>.</summary>
    public IReadOnlyList<DmarcReportWarning> Warnings { get; init; } = [];
}
