using System.Net;

namespace SenderAuth.Reports.Failure;

/// <summary>
/// A failure report without the ARF part: some MTAs send a text saying a message failed DMARC, with the message's
/// headers quoted or attached. Read: ARF-like "Label: value" lines of the text when present (Source-IP, Auth-Failure,
/// Reported-Domain…), the included headers (From, DKIM d= and s=, the topmost Received's address), the reporter.
/// </summary>
internal static class PlainTextFailureReport
{
    /// <summary>Words in a subject or text that say "failure report"; a mail with none of them and no ARF part is something else.</summary>
    private static readonly string[] Markers = ["failure report", "forensic", "auth-failure", "authentication failure", "dmarc"];

    /// <summary>Text labels read, with the ARF field each stands for.</summary>
    private static readonly Dictionary<string, string> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["source-ip"] = "source-ip", ["source ip"] = "source-ip", ["sender ip"] = "source-ip", ["source ip address"] = "source-ip",
        ["auth-failure"] = "auth-failure", ["reported-domain"] = "reported-domain", ["original-mail-from"] = "original-mail-from",
        ["arrival-date"] = "arrival-date", ["feedback-type"] = "feedback-type",
    };

    /// <summary>Lines of the text scanned for labels: the labels come first in every such text seen; the quoted message follows.</summary>
    private const int MaxLabelLines = 200;

    public static bool LooksLikeOne(string? subject, string text)
    {
        var head = text.Length > 4096 ? text[..4096] : text;
        return Markers.Any(m => (subject?.Contains(m, StringComparison.OrdinalIgnoreCase) ?? false) || head.Contains(m, StringComparison.OrdinalIgnoreCase));
    }

    public static FailureReport Read(IncludedHeaders headers, string text, string? reporter, string source, FailureReportLimits limits,
        FailureReportWarnings warnings)
    {
        var labels = ReadLabels(text, limits);
        IPAddress? ip = null;
        if (labels.TryGetValue("source-ip", out var ipText) && !IPAddress.TryParse(ipText.Split(' ')[0].Trim('[', ']'), out ip))
        {
            warnings.Add(FailureReportWarningCodes.InvalidSourceIp, $"Source IP \"{FailureReportParser.Clip(ipText, 64)}\" is not an IP address");
        }
        ip ??= headers.ReceivedIp;
        if (ip is null)
        {
            warnings.Add(FailureReportWarningCodes.MissingField, "no source IP: neither a Source-IP line nor an address in the topmost Received field");
        }
        var domain = FailureReportText.Domain(labels.GetValueOrDefault("reported-domain"), "Reported-Domain", warnings) ?? headers.FromDomain ?? headers.DkimDomain
            ?? throw new DmarcReportException(DmarcReportErrorKind.MissingElement, source, 0, 0,
                "plain-text failure report without a domain to file it under: no Reported-Domain line, no From or DKIM-Signature in the quoted headers");
        DateTimeOffset? arrival = labels.TryGetValue("arrival-date", out var dateText) && MimeKit.Utils.DateUtils.TryParse(dateText, out var d) ? d : headers.Date;
        var authFailure = labels.GetValueOrDefault("auth-failure")?.ToLowerInvariant();
        return new FailureReport
        {
            Format = FailureReportFormat.PlainText,
            Reporter = reporter,
            FeedbackType = labels.GetValueOrDefault("feedback-type")?.ToLowerInvariant(),
            AuthFailure = authFailure is null ? null : FailureReportParser.Clip(authFailure, 64),
            ReportedDomain = domain,
            SourceIp = ip,
            HeaderFrom = headers.FromDomain,
            MailFrom = labels.TryGetValue("original-mail-from", out var mf) ? FailureReportText.Address(mf) : null,
            DkimDomain = headers.DkimDomain,
            DkimSelector = headers.DkimSelector,
            AuthenticationResults = headers.AuthenticationResults,
            ArrivalDate = arrival,
            MessageId = headers.MessageId,
            Headers = headers.Text,
            BodyRedacted = headers.HadBody,
            Warnings = warnings.List,
        };
    }

    private static Dictionary<string, string> ReadLabels(string text, FailureReportLimits limits)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            if (++lines > MaxLabelLines)
            {
                break;
            }
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (colon <= 0 || colon > 40 || !Labels.TryGetValue(line[..colon].Trim().ToString(), out var field) || found.ContainsKey(field))
            {
                continue;
            }
            var value = line[(colon + 1)..].Trim();
            if (value.Length > 0)
            {
                found[field] = value.Length > limits.MaxFieldChars ? value[..limits.MaxFieldChars].ToString() : value.ToString();
            }
        }
        return found;
    }
}
