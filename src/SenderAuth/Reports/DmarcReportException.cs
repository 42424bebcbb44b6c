namespace SenderAuth.Reports;

/// <summary>Why an input was refused; stable kebab-case codes via <see cref="DmarcReportErrors.Code"/>.</summary>
public enum DmarcReportErrorKind
{
    /// <summary>Not well-formed XML (includes a truncated document).</summary>
    MalformedXml,
    /// <summary>A DOCTYPE: refused, so entities are never expanded or fetched.</summary>
    DtdProhibited,
    /// <summary>The root element is not <c>feedback</c>.</summary>
    WrongRoot,
    /// <summary>A required element is absent.</summary>
    MissingElement,
    /// <summary>A value does not parse (IP address, count, timestamp) or an element is where it cannot be.</summary>
    InvalidValue,
    /// <summary>A <see cref="DmarcReportLimits"/> limit was hit (bomb, too many entries, nesting, field length).</summary>
    LimitExceeded,
    /// <summary>A gzip or zip stream is corrupt or truncated.</summary>
    CorruptArchive,
    /// <summary>Neither XML, gzip, zip nor an email, or an email without report attachments.</summary>
    UnsupportedFormat,
}

/// <summary>
/// An aggregate report could not be read. Nothing of it may be kept: a consumer that streamed records into a
/// transaction rolls it back. The message is <c>source:line:column: reason</c> (line and column when known),
/// the shape editors and CI logs turn into links.
/// </summary>
public sealed class DmarcReportException : FormatException
{
    /// <summary>A refusal of <paramref name="source"/>; <paramref name="line"/> and <paramref name="column"/> are 1-based, 0 when unknown.</summary>
    public DmarcReportException(DmarcReportErrorKind kind, string source, int line, int column, string reason, Exception? inner = null)
        : base(line > 0 ? $"{source}:{line}:{column}: {reason}" : $"{source}: {reason}", inner)
    {
        Kind = kind;
        Source = source;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>What kind of problem: its <see cref="DmarcReportErrors.Code"/> is the stable code for JSON.</summary>
    public DmarcReportErrorKind Kind { get; }

    /// <summary>The input's name; inside archives <c>outer!inner</c> (<c>report.zip!google.xml</c>).</summary>
    public new string Source { get; }

    /// <summary>1-based line in the XML document, or 0 when the error is not in XML (an archive, a limit before parsing).</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }
}

/// <summary>Stable codes for <see cref="DmarcReportErrorKind"/> (JSON, logs).</summary>
public static class DmarcReportErrors
{
    /// <summary>The kebab-case code, e.g. <c>malformed-xml</c>, <c>limit-exceeded</c>.</summary>
    public static string Code(this DmarcReportErrorKind kind) => kind switch
    {
        DmarcReportErrorKind.MalformedXml => "malformed-xml",
        DmarcReportErrorKind.DtdProhibited => "dtd-prohibited",
        DmarcReportErrorKind.WrongRoot => "wrong-root",
        DmarcReportErrorKind.MissingElement => "missing-element",
        DmarcReportErrorKind.InvalidValue => "invalid-value",
        DmarcReportErrorKind.LimitExceeded => "limit-exceeded",
        DmarcReportErrorKind.CorruptArchive => "corrupt-archive",
        DmarcReportErrorKind.UnsupportedFormat => "unsupported-format",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
