using System.Net;
using MimeKit;

namespace SenderAuth.Reports.Failure;

/// <summary>
/// Reads DMARC failure reports (RFC 9991): an ARF mail (RFC 5965, <c>multipart/report; report-type=feedback-report</c>)
/// whose <c>message/feedback-report</c> part carries RFC 6591's auth-failure fields, and whose third part is the
/// reported message (<c>message/rfc822</c>) or its headers (<c>text/rfc822-headers</c>). Mails without the ARF part
/// (plain text from some MTAs) are read as far as they can be (From, IPs, DKIM d= and s= of the included headers)
/// with the warning <c>no-arf-part</c>. MIME is MimeKit's; only the field semantics are ours.
/// </summary>
/// <remarks>
/// <para>Every refusal is a <see cref="DmarcReportException"/> (the importer quarantines the file with its code);
/// nothing else escapes but cancellation. Work is linear in the mail: one MIME parse, one pass over each field.</para>
/// <para>Security: the mail is read up to <see cref="FailureReportLimits.MaxMessageBytes"/>; MIME nesting is cut at
/// <see cref="FailureReportLimits.MaxMimeDepth"/> by MimeKit and the report's own parts are counted against
/// <see cref="FailureReportLimits.MaxParts"/>. Of the reported message only the header fields are kept (bounded by
/// <see cref="FailureReportLimits.MaxHeaderBytes"/>); its body, its attachments and DKIM-Canonicalized-Body are
/// dropped (docs/security.md, "Failure reports").</para>
/// </remarks>
public sealed class FailureReportParser
{
    /// <summary>Auth-Failure tokens: RFC 6591 §3.2.2 (adsp, bodyhash, revoked, signature, spf) and dmarc (RFC 7489 §7.3, RFC 9991).</summary>
    private static readonly HashSet<string> AuthFailures = ["adsp", "bodyhash", "revoked", "signature", "spf", "dmarc"];

    private static readonly HashSet<string> DeliveryResults = ["delivered", "spam", "policy", "reject", "other"];

    /// <summary>A parser enforcing <paramref name="limits"/> (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public FailureReportParser(FailureReportLimits? limits = null)
    {
        Limits = limits ?? new FailureReportLimits();
        Limits.Validate();
    }

    /// <summary>The limits in effect.</summary>
    public FailureReportLimits Limits { get; }

    /// <summary>
    /// The failure report in <paramref name="input"/> (left open), or null when the input is not a failure report:
    /// not an email, an email carrying an aggregate report (xml, gzip or zip), a delivery status notification, a
    /// mail with neither an ARF part nor a failure report's text and included headers, or a mail larger than
    /// <see cref="FailureReportLimits.MaxMessageBytes"/> (left to the aggregate parser, whose own limit is larger:
    /// a big mail is an aggregate report's far more often than a failure report's).
    /// </summary>
    /// <exception cref="DmarcReportException">It is a failure report and it is refused (limits, no reported domain,
    /// not auth-failure).</exception>
    public FailureReport? TryRead(Stream input, string source, CancellationToken cancellationToken = default) =>
        ReadCore(input, source, refuseOversize: false, cancellationToken);

    /// <summary>As <see cref="TryRead"/>, refusing an input that is not a failure report or is too large.</summary>
    /// <exception cref="DmarcReportException">Not a failure report, larger than the limit, or refused.</exception>
    public FailureReport Read(Stream input, string source, CancellationToken cancellationToken = default) =>
        ReadCore(input, source, refuseOversize: true, cancellationToken)
        ?? throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0, "not a DMARC failure report (no ARF part, no failure report text)");

    private FailureReport? ReadCore(Stream input, string source, bool refuseOversize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = ReadBounded(input, source, refuseOversize, cancellationToken);
        if (buffer is null)
        {
            return null;
        }
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new ParserOptions { MaxMimeDepth = Limits.MaxMimeDepth }, buffer, cancellationToken);
        }
        catch (FormatException e)
        {
            throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0, $"not a readable email: {e.Message}", e);
        }
        using (message)
        {
            try
            {
                return Read(message, source, cancellationToken);
            }
            catch (Exception e) when (e is not DmarcReportException
                && e is FormatException or ArgumentException or InvalidOperationException or NotSupportedException or OverflowException)
            {
                // MimeKit decodes charsets and transfer encodings while we read: a broken one is the mail's fault.
                throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0, $"unreadable failure report: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The mail in one buffer, positioned at its start; null when the first bytes are not an email's (decided by the
    /// aggregate parser's own sniff, before anything more is read) or, for <see cref="TryRead"/>, when it is larger
    /// than <see cref="FailureReportLimits.MaxMessageBytes"/>.
    /// </summary>
    private MemoryStream? ReadBounded(Stream input, string source, bool refuseOversize, CancellationToken ct)
    {
        var head = new byte[512];
        var headLength = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (!DmarcReportParser.IsEmail(head.AsSpan(0, headLength)))
        {
            return null;
        }
        var buffer = new MemoryStream();
        buffer.Write(head, 0, headLength);
        var chunk = new byte[81920];
        int n;
        while ((n = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            if (buffer.Length + n > Limits.MaxMessageBytes)
            {
                buffer.Dispose();
                if (!refuseOversize)
                {
                    return null;
                }
                throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                    $"failure report larger than {Limits.MaxMessageBytes:N0} bytes (limit MaxMessageBytes)");
            }
            buffer.Write(chunk, 0, n);
        }
        buffer.Position = 0;
        return buffer;
    }

    private FailureReport? Read(MimeMessage message, string source, CancellationToken ct)
    {
        var tree = FailureReportTree.Walk(message, Limits.MaxParts, ct);
        if (tree.HasAggregateAttachment || tree.IsDeliveryReport)
        {
            return null;
        }
        if (tree.Parts > Limits.MaxParts)
        {
            throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                $"report mail has more than {Limits.MaxParts} MIME parts (limit MaxParts)");
        }
        var warnings = new FailureReportWarnings(Limits.MaxWarnings);
        var reporter = message.From.Mailboxes.FirstOrDefault()?.Address?.ToLowerInvariant();
        if (tree.Feedback is { } fields)
        {
            if (!tree.IsMultipartReport)
            {
                warnings.Add(FailureReportWarningCodes.NotMultipartReport, "the message/feedback-report part is not inside multipart/report; report-type=feedback-report (RFC 5965 §2)");
            }
            var included = IncludedHeaders.From(tree, Limits, warnings);
            return FromArf(fields, included, reporter, source, warnings);
        }
        var text = tree.Text;
        var headers = tree.Included is not null || tree.HeadersPart is not null
            ? IncludedHeaders.From(tree, Limits, warnings)
            : IncludedHeaders.FromText(text, Limits, warnings);
        if (headers is null || !PlainTextFailureReport.LooksLikeOne(message.Subject, text))
        {
            return null;
        }
        warnings.Add(FailureReportWarningCodes.NoArfPart, "no message/feedback-report part (RFC 5965): read from the text and the included headers only");
        return PlainTextFailureReport.Read(headers, text, reporter, source, Limits, warnings);
    }

    private FailureReport FromArf(HeaderList fields, IncludedHeaders? included, string? reporter, string source, FailureReportWarnings warnings)
    {
        var f = new ArfFields(fields, Limits, warnings);
        var feedbackType = f.One("Feedback-Type")?.ToLowerInvariant();
        if (feedbackType is null)
        {
            warnings.Add(FailureReportWarningCodes.MissingField, "no Feedback-Type (required by RFC 5965 §3.1): read as auth-failure");
        }
        else if (feedbackType != "auth-failure")
        {
            throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0,
                $"feedback report of type \"{Clip(feedbackType, 64)}\", not auth-failure: not a DMARC failure report (RFC 6591)");
        }
        foreach (var required in new[] { "User-Agent", "Version" })
        {
            if (f.One(required) is null)
            {
                warnings.Add(FailureReportWarningCodes.MissingField, $"no {required} (required by RFC 5965 §3.1)");
            }
        }
        var authFailure = f.One("Auth-Failure")?.ToLowerInvariant();
        if (authFailure is null)
        {
            warnings.Add(FailureReportWarningCodes.MissingField, "no Auth-Failure (required for auth-failure reports, RFC 6591 §3.1)");
        }
        else if (!AuthFailures.Contains(authFailure))
        {
            warnings.Add(FailureReportWarningCodes.UnknownAuthFailure, $"Auth-Failure \"{Clip(authFailure, 64)}\" is none of adsp, bodyhash, revoked, signature, spf, dmarc");
        }
        var delivery = f.One("Delivery-Result")?.ToLowerInvariant();
        if (delivery is not null && !DeliveryResults.Contains(delivery))
        {
            warnings.Add(FailureReportWarningCodes.UnknownDeliveryResult, $"Delivery-Result \"{Clip(delivery, 64)}\" is none of delivered, spam, policy, reject, other");
        }
        var alignment = f.One("Identity-Alignment")?.ToLowerInvariant();
        if (alignment is not null && alignment.Split(',', StringSplitOptions.TrimEntries).Any(t => t is not ("none" or "dkim" or "spf")))
        {
            warnings.Add(FailureReportWarningCodes.UnknownIdentityAlignment, $"Identity-Alignment \"{Clip(alignment, 64)}\" is not none or a list of dkim and spf (RFC 9991)");
        }
        IPAddress? ip = null;
        if (f.One("Source-IP") is { } ipText && !IPAddress.TryParse(ipText.Trim('[', ']'), out ip))
        {
            warnings.Add(FailureReportWarningCodes.InvalidSourceIp, $"Source-IP \"{Clip(ipText, 64)}\" is not an IP address");
        }
        DateTimeOffset? arrival = null;
        if (f.One("Arrival-Date") is { } dateText)
        {
            if (MimeKit.Utils.DateUtils.TryParse(dateText, out var d))
            {
                arrival = d;
            }
            else
            {
                warnings.Add(FailureReportWarningCodes.InvalidArrivalDate, $"Arrival-Date \"{Clip(dateText, 64)}\" is not an RFC 5322 date");
            }
        }
        var reportedDomains = f.All("Reported-Domain");
        var bodyInField = f.One("DKIM-Canonicalized-Body") is not null;
        var authResults = f.All("Authentication-Results");
        // Read once: an invalid DKIM-Domain is one invalid-domain warning, whether or not the report is filed under it.
        var dkimDomain = FailureReportText.Domain(f.One("DKIM-Domain"), "DKIM-Domain", warnings);
        var domain = FailureReportText.Domain(reportedDomains.FirstOrDefault(), "Reported-Domain", warnings)
            ?? included?.FromDomain ?? dkimDomain ?? included?.DkimDomain
            ?? throw new DmarcReportException(DmarcReportErrorKind.MissingElement, source, 0, 0,
                "no domain to file the report under: no Reported-Domain, no From in the reported headers, no DKIM-Domain");
        if (reportedDomains.Count == 0)
        {
            warnings.Add(FailureReportWarningCodes.MissingField, $"no Reported-Domain: filed under {domain}");
        }
        if (included is null)
        {
            warnings.Add(FailureReportWarningCodes.NoReportedMessage, "no message/rfc822 or text/rfc822-headers part: the reported message's headers are unknown");
        }
        return new FailureReport
        {
            Format = FailureReportFormat.Arf,
            Reporter = reporter,
            FeedbackType = feedbackType ?? "auth-failure",
            AuthFailure = authFailure,
            ReportedDomain = domain,
            SourceIp = ip,
            HeaderFrom = included?.FromDomain,
            MailFrom = f.One("Original-Mail-From") is { } mf ? FailureReportText.Address(mf) : null,
            RcptTo = f.All("Original-Rcpt-To").Select(FailureReportText.Address).ToList(),
            DkimDomain = dkimDomain ?? included?.DkimDomain,
            DkimSelector = f.One("DKIM-Selector") ?? included?.DkimSelector,
            DkimIdentity = f.One("DKIM-Identity"),
            SpfDns = f.One("SPF-DNS"),
            AuthenticationResults = authResults.Count > 0 ? authResults : included?.AuthenticationResults ?? [],
            ArrivalDate = arrival ?? included?.Date,
            IdentityAlignment = alignment,
            DeliveryResult = delivery,
            ReportedUris = f.All("Reported-URI"),
            UserAgent = f.One("User-Agent"),
            MessageId = included?.MessageId,
            Headers = included?.Text ?? "",
            BodyRedacted = bodyInField || included?.HadBody == true,
            Warnings = warnings.List,
        };
    }

    internal static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
