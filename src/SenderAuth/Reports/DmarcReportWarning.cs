namespace SenderAuth.Reports;

/// <summary>
/// Something a reporter got wrong that was recovered without guessing: the report is imported, and this says
/// what was repaired and where. <see cref="Code"/> is a stable kebab-case code (<see cref="DmarcReportWarningCodes"/>,
/// docs/reports.md lists each with what is kept strict).
/// </summary>
/// <param name="Code">Stable code, e.g. <c>unescaped-lt</c>.</param>
/// <param name="Message">What was found and what was done, for people.</param>
/// <param name="Position"><c>line:column</c> in the (repaired) XML, <c>byte N</c> in the XML as received, or the
/// attachment or archive layer it is about.</param>
public sealed record DmarcReportWarning(string Code, string Message, string Position)
{
    /// <summary><c>position: code: message</c>, the shape the CLI and logs print.</summary>
    public override string ToString() => $"{Position}: {Code}: {Message}";
}

/// <summary>The warning codes (a public contract: JSON, the database, the dashboard).</summary>
public static class DmarcReportWarningCodes
{
    /// <summary>Empty or missing <c>org_name</c>: taken from the <c>email</c> domain, the file name or the mail's sender.</summary>
    public const string MissingOrgName = "missing-org-name";
    /// <summary>Elements around <c>feedback</c> (e.g. an <c>xs:schema</c> root): the report inside is read.</summary>
    public const string WrapperElement = "wrapper-element";
    /// <summary>A <c>&lt;</c> in text that cannot start markup (<c>&lt;bad@example.com&gt;</c>): read as text.</summary>
    public const string UnescapedLt = "unescaped-lt";
    /// <summary>A <c>&amp;</c> that starts no predefined entity or character reference: read as text, never expanded.</summary>
    public const string UnescapedAmpersand = "unescaped-ampersand";
    /// <summary>Bytes that are not UTF-8 in a UTF-8 document: replaced by U+FFFD.</summary>
    public const string InvalidUtf8 = "invalid-utf8";
    /// <summary>A character XML 1.0 forbids (control characters, U+FFFE, U+FFFF): replaced by U+FFFD.</summary>
    public const string InvalidXmlCharacter = "invalid-xml-character";
    /// <summary>A result word in other letter case than its RFC token (<c>Pass</c>).</summary>
    public const string TokenCase = "token-case";
    /// <summary>A legacy word read as its RFC token (<c>unknown</c> as temperror, <c>error</c> as permerror, <c>hardfail</c>, <c>relaxed</c>).</summary>
    public const string LegacyToken = "legacy-token";
    /// <summary>A word that is no token of its element: kept as <c>unknown</c>.</summary>
    public const string UnknownToken = "unknown-token";
    /// <summary>An element the schema requires but the totals do not need (disposition, header_from, email…) is missing or empty.</summary>
    public const string MissingElement = "missing-element";
    /// <summary>The report has no <c>record</c>.</summary>
    public const string NoRecords = "no-records";
    /// <summary>Bytes after the gzip member's end: ignored.</summary>
    public const string TrailingBytesAfterGzip = "trailing-bytes-after-gzip";
    /// <summary>Bytes after the XML root element (padding, a second document's start): dropped unread.</summary>
    public const string TrailingBytesAfterRoot = "trailing-bytes-after-root";
    /// <summary>A byte-order mark where none belongs (a second one, or after whitespace): dropped.</summary>
    public const string ByteOrderMark = "byte-order-mark";
    /// <summary>Whitespace before the XML declaration: dropped.</summary>
    public const string LeadingWhitespace = "leading-whitespace";
    /// <summary>An attachment read by its file name although its content type names no report format.</summary>
    public const string AttachmentContentType = "attachment-content-type";
    /// <summary>An attachment with a report content type but no file name.</summary>
    public const string AttachmentFileName = "attachment-file-name";
    /// <summary>An attachment found by its first bytes, with neither a report content type nor a report file name.</summary>
    public const string AttachmentSniffed = "attachment-sniffed";
    /// <summary>An attachment whose bytes are another format than its content type or file name says (a zip named .gz).</summary>
    public const string AttachmentTypeMismatch = "attachment-type-mismatch";
    /// <summary><c>date_range</c> with begin after end: swapped.</summary>
    public const string DateRangeReversed = "date-range-reversed";
    /// <summary><c>date_range</c> in milliseconds: divided by 1000.</summary>
    public const string DateRangeMilliseconds = "date-range-milliseconds";
    /// <summary>A timestamp with a fraction (<c>1700000000.0</c>): the fraction is dropped.</summary>
    public const string TimestampFraction = "timestamp-fraction";
    /// <summary>Any other tolerated oddity (an unknown <c>testing</c> value…).</summary>
    public const string Tolerated = "tolerated";
}

/// <summary>
/// The warnings of one report, from every layer that read it (email, archive, pre-pass, reader): the first
/// <see cref="DmarcReportLimits.MaxWarnings"/> are kept, all are counted.
/// </summary>
internal sealed class DmarcReportWarnings(int max)
{
    private readonly List<DmarcReportWarning> _kept = [];

    public IReadOnlyList<DmarcReportWarning> Kept => _kept;

    public int Count { get; private set; }

    public void Add(string code, string message, string position)
    {
        Count++;
        if (_kept.Count < max)
        {
            _kept.Add(new DmarcReportWarning(code, message, position));
        }
    }

    /// <summary>As <see cref="Add"/> at a byte offset; the position text is made only for a warning that is kept, so a
    /// flood of repairs (hostile input) costs a counter, not a string each.</summary>
    public void AddAt(string code, string message, long offset)
    {
        if (_kept.Count < max)
        {
            Add(code, message, AtByte(offset));
        }
        else
        {
            Count++;
        }
    }

    /// <summary>A collector for one report inside this layer (a zip entry, an attachment), starting with this layer's warnings.</summary>
    public DmarcReportWarnings Fork()
    {
        var copy = new DmarcReportWarnings(max) { Count = Count };
        copy._kept.AddRange(_kept);
        return copy;
    }

    public static string At(int line, int column) => $"{line}:{column}";

    public static string AtByte(long offset) => $"byte {offset}";
}

/// <summary>What the layers around one XML document know: its warnings so far and who sent it (for a missing org_name).</summary>
internal sealed record ReportContext(DmarcReportWarnings Warnings, string? ReporterHint)
{
    public ReportContext Fork(string? reporterHint = null) => new(Warnings.Fork(), reporterHint ?? ReporterHint);
}
