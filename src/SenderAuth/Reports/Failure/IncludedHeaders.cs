using System.Net;
using System.Text;
using MimeKit;
using SenderAuth.Parsing;

namespace SenderAuth.Reports.Failure;

/// <summary>
/// The reported message as kept: its header fields (bounded) and what they say (From domain, first DKIM-Signature's
/// d= and s=, Authentication-Results, Date, Message-ID, the topmost Received field's address). Its body is never
/// kept; <see cref="HadBody"/> says whether there was one.
/// </summary>
internal sealed class IncludedHeaders
{
    private static readonly string[] HeaderStarts =
        ["received", "return-path", "from", "dkim-signature", "authentication-results", "message-id", "date", "subject", "to", "arc-seal"];

    public required string Text { get; init; }
    public bool HadBody { get; init; }
    public string? FromDomain { get; init; }
    public string? DkimDomain { get; init; }
    public string? DkimSelector { get; init; }
    public IReadOnlyList<string> AuthenticationResults { get; init; } = [];
    public DateTimeOffset? Date { get; init; }
    public string? MessageId { get; init; }
    public IPAddress? ReceivedIp { get; init; }

    /// <summary>From the report's message/rfc822 or text/rfc822-headers part; null when it has none.</summary>
    public static IncludedHeaders? From(FailureReportTree tree, FailureReportLimits limits, FailureReportWarnings warnings)
    {
        if (tree.Included?.Message is { } message)
        {
            return Build(message.Headers, HasBody(message.Body), limits, warnings);
        }
        if (tree.HeadersPart?.Content is { } content)
        {
            using var decoded = new MemoryStream();
            content.DecodeTo(decoded);
            var bytes = decoded.ToArray();
            decoded.Position = 0;
            var headers = HeaderList.Load(decoded);
            // What follows the first blank line is a body the reporter should not have sent: flagged, never kept.
            var blank = bytes.AsSpan().IndexOf("\n\r\n"u8) is >= 0 and var crlf ? crlf : bytes.AsSpan().IndexOf("\n\n"u8);
            var hadBody = blank >= 0 && bytes.AsSpan(blank + 2).IndexOfAnyExcept(" \t\r\n"u8) >= 0;
            return Build(headers, hadBody, limits, warnings);
        }
        return null;
    }

    /// <summary>
    /// The header block quoted in a plain-text report: from the first line that starts a field the reported
    /// message must have had (Received, From, DKIM-Signature…) to the first blank line; null when there is none.
    /// </summary>
    public static IncludedHeaders? FromText(string text, FailureReportLimits limits, FailureReportWarnings warnings)
    {
        var lines = text.Split('\n');
        var start = -1;
        for (var i = 0; i < lines.Length && start < 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && HeaderStarts.Contains(lines[i][..colon].ToLowerInvariant()))
            {
                start = i;
            }
        }
        if (start < 0)
        {
            return null;
        }
        var block = new StringBuilder();
        var end = start;
        for (; end < lines.Length; end++)
        {
            var line = lines[end].TrimEnd('\r');
            var isContinuation = line.Length > 0 && line[0] is ' ' or '\t';
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var isField = colon > 0 && line.AsSpan(0, colon).IndexOfAnyExceptInRange((char)33, (char)126) < 0;
            if (line.Trim().Length == 0 || !(isContinuation || isField))
            {
                break;
            }
            block.Append(line).Append("\r\n");
        }
        var hadBody = lines.Skip(end).Any(l => l.Trim().Length > 0);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(block.Append("\r\n").ToString()), writable: false);
        var headers = HeaderList.Load(stream);
        var kept = Build(headers, hadBody, limits, warnings);
        return kept.FromDomain is null && kept.DkimDomain is null && kept.ReceivedIp is null ? null : kept;
    }

    private static IncludedHeaders Build(HeaderList headers, bool hadBody, FailureReportLimits limits, FailureReportWarnings warnings)
    {
        var text = new StringBuilder();
        var bytes = 0;
        var dropped = 0;
        foreach (var h in headers)
        {
            var raw = Encoding.UTF8.GetString(h.RawValue).TrimEnd('\r', '\n').ReplaceLineEndings("\r\n");
            var line = $"{h.Field}:{raw}\r\n";
            var size = Encoding.UTF8.GetByteCount(line);
            if (bytes + size > limits.MaxHeaderBytes)
            {
                dropped++;
                continue;
            }
            bytes += size;
            text.Append(line);
        }
        if (dropped > 0)
        {
            warnings.Add(FailureReportWarningCodes.HeadersTruncated, $"{dropped} header field(s) of the reported message not kept: more than {limits.MaxHeaderBytes:N0} bytes (limit MaxHeaderBytes)");
        }
        string? fromDomain = null;
        if (headers[HeaderId.From] is { } from && InternetAddressList.TryParse(Clip(from, limits), out var list)
            && list.Mailboxes.FirstOrDefault()?.Domain is { Length: > 0 } d)
        {
            fromDomain = FailureReportText.Domain(d, "From", warnings);
        }
        string? dkimDomain = null, selector = null;
        if (headers[HeaderId.DkimSignature] is { } signature)
        {
            var tags = TagList.Parse(Clip(signature, limits), TagListRules.Dkim);
            dkimDomain = FailureReportText.Domain(tags["d"], "DKIM-Signature d=", warnings);
            selector = tags["s"] is { Length: > 0 } s ? TagList.StripWhitespace(s) : null;
        }
        DateTimeOffset? date = headers[HeaderId.Date] is { } dateText && MimeKit.Utils.DateUtils.TryParse(dateText, out var parsed) ? parsed : null;
        var messageId = headers[HeaderId.MessageId] is { } id ? FailureReportText.Address(Clip(id, limits)) : null;
        var results = headers.Where(h => h.Id == HeaderId.AuthenticationResults).Take(limits.MaxRepeats)
            .Select(h => Clip(h.Value, limits)).Where(v => v.Length > 0).ToList();
        return new IncludedHeaders
        {
            Text = text.ToString(), HadBody = hadBody, FromDomain = fromDomain, DkimDomain = dkimDomain, DkimSelector = selector,
            AuthenticationResults = results, Date = date, MessageId = messageId,
            ReceivedIp = headers[HeaderId.Received] is { } received ? BracketedIp(Clip(received, limits)) : null,
        };
    }

    /// <summary>The first [address] of a Received field: the connecting client's, as MTAs write it (RFC 5321 §4.4).</summary>
    private static IPAddress? BracketedIp(string received)
    {
        var at = 0;
        while ((at = received.IndexOf('[', at)) >= 0)
        {
            var end = received.IndexOf(']', at);
            if (end < 0)
            {
                return null;
            }
            var inner = received.AsSpan(at + 1, end - at - 1);
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                inner = inner[5..];
            }
            if (IPAddress.TryParse(inner, out var ip))
            {
                return ip;
            }
            at = end;
        }
        return null;
    }

    private static string Clip(string value, FailureReportLimits limits) =>
        FailureReportParser.Clip(FailureReportText.Unfold(value), limits.MaxFieldChars);

    private static bool HasBody(MimeEntity? body) => body switch
    {
        null => false,
        MimePart { Content.Stream: { } stream } => HasNonWhiteSpace(stream),
        MimePart => false,
        _ => true,
    };

    private static bool HasNonWhiteSpace(Stream stream)
    {
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b is not (' ' or '\t' or '\r' or '\n'))
            {
                return true;
            }
        }
        return false;
    }
}
