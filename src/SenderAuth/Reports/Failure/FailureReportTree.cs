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

    /// <summary>The report's own MIME parts (the reported message's not counted); more than the limit is refused by the parser, unless the mail is an aggregate report's.</summary>
    public int Parts { get; private set; }

    /// <summary>
    /// Walks the whole tree of the report mail (MimeKit has already parsed it within the size and depth limits, so
    /// the walk is linear): parts past <paramref name="maxParts"/> are only looked at for an aggregate report, so
    /// a report mail with many parts is never refused before it is known not to be an aggregate report's.
    /// </summary>
    public static FailureReportTree Walk(MimeMessage message, int maxParts, CancellationToken ct)
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
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var entity = pending.Pop();
            var within = ++tree.Parts <= maxParts;
            switch (entity)
            {
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        pending.Push(multipart[i]);
                    }
                    break;
                case MessageFeedbackReport feedback:
                    if (within)
                    {
                        tree.Feedback ??= feedback.Fields;
                    }
                    break;
                case MessagePart included:
                    if (within)
                    {
                        tree.Included ??= included;
                    }
                    break;
                case MimePart part when DmarcReportParser.LooksLikeReportPart(part, ct):
                    // The aggregate parser's own test (content type, file name, first bytes): such a mail is its.
                    tree.HasAggregateAttachment = true;
                    return tree;
                case TextPart text when text.IsPlain && !text.IsAttachment && tree.Text.Length == 0:
                    if (within)
                    {
                        tree.Text = text.Text ?? "";
                    }
                    break;
                case MimePart part when within && part.ContentType.MimeType.EndsWith("/rfc822-headers", StringComparison.OrdinalIgnoreCase):
                    tree.HeadersPart ??= part;
                    break;
            }
        }
        return tree;
    }
}
