using MimeKit;

namespace SenderAuth.Reports.Failure;

/// <summary>
/// The parts of a report mail that matter, found in one walk of its own MIME tree (never into the reported
/// message, whose parts are its body): the ARF fields, the reported message or its headers, the first text part,
/// and whether the mail is something else (an aggregate report's attachment, a delivery status notification).
/// </summary>
internal sealed class FailureReportTree
{
    public HeaderList? Feedback { get; private set; }
    public MessagePart? Included { get; private set; }
    /// <summary>A headers part MimeKit did not read as a message (<c>message/rfc822-headers</c>, a sloppy type).</summary>
    public MimePart? HeadersPart { get; private set; }
    public string Text { get; private set; } = "";
    public bool IsMultipartReport { get; private set; }
    public bool IsDeliveryReport { get; private set; }
    public bool HasAggregateAttachment { get; private set; }

    public static FailureReportTree Walk(MimeMessage message, int maxParts, string source)
    {
        var tree = new FailureReportTree();
        if (message.Body is MultipartReport report)
        {
            var type = report.ReportType?.ToLowerInvariant();
            tree.IsMultipartReport = type == "feedback-report";
            tree.IsDeliveryReport = type is "delivery-status" or "disposition-notification";
        }
        var pending = new Stack<MimeEntity>();
        if (message.Body is { } body)
        {
            pending.Push(body);
        }
        var parts = 0;
        while (pending.Count > 0)
        {
            var entity = pending.Pop();
            if (++parts > maxParts)
            {
                throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                    $"report mail has more than {maxParts} MIME parts (limit MaxParts)");
            }
            switch (entity)
            {
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        pending.Push(multipart[i]);
                    }
                    break;
                case MessageFeedbackReport feedback:
                    tree.Feedback ??= feedback.Fields;
                    break;
                case MessagePart included:
                    tree.Included ??= included;
                    break;
                case TextPart text when text.IsPlain && !text.IsAttachment && tree.Text.Length == 0:
                    tree.Text = text.Text ?? "";
                    break;
                case MimePart part when IsAggregateAttachment(part):
                    tree.HasAggregateAttachment = true;
                    break;
                case MimePart part when part.ContentType.MimeType.EndsWith("/rfc822-headers", StringComparison.OrdinalIgnoreCase):
                    tree.HeadersPart ??= part;
                    break;
            }
        }
        return tree;
    }

    /// <summary>The types and names the aggregate parser takes as a report attachment: such a mail is an aggregate report.</summary>
    private static bool IsAggregateAttachment(MimePart part)
    {
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var file = part.FileName?.ToLowerInvariant() ?? "";
        return type is "application/gzip" or "application/x-gzip" or "application/zip" or "application/x-zip-compressed" or "application/x-zip"
                or "text/xml" or "application/xml"
            || file.EndsWith(".xml", StringComparison.Ordinal) || file.EndsWith(".gz", StringComparison.Ordinal)
            || file.EndsWith(".zip", StringComparison.Ordinal);
    }
}
