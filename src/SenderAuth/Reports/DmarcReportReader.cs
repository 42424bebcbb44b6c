using System.Globalization;
using System.Net;
using System.Xml;

namespace SenderAuth.Reports;

/// <summary>
/// Streams one aggregate report XML document: <see cref="Header"/> is read on open, records one at a time after.
/// Elements are matched by local name, so no namespace, RFC 7489's <c>http://dmarc.org/dmarc-xml/0.1</c>, RFC 9990's
/// <c>urn:ietf:params:xml:ns:dmarc-2.0</c> and any prefix read alike; unknown elements (<c>extension</c>s) are skipped.
/// </summary>
/// <remarks>
/// <para>Nothing half-imported: the record sequence ends normally only after the whole document was read and
/// found well-formed and complete; any problem throws <see cref="DmarcReportException"/> with line and column
/// instead, possibly after some records were yielded. Import records inside a transaction and commit when the
/// sequence completes (<see cref="IsComplete"/>).</para>
/// <para>Memory is bounded by one record and <see cref="DmarcReportLimits.MaxFieldChars"/>, whatever the report size.
/// Reads from the stream synchronously (XmlReader's async mode is several times slower); give it a file or a
/// buffered stream, not a slow network socket.</para>
/// <para>Security: DTDs are prohibited (no entity expansion, no external entities) and no resolver is set.</para>
/// </remarks>
public sealed class DmarcReportReader : IDisposable
{
    private readonly XmlReader _xml;
    private readonly IXmlLineInfo _line;
    private readonly Names _n;
    private readonly IDisposable? _owned;
    private readonly DmarcReportLimits _limits;
    private readonly char[] _text;
    private readonly DmarcReportWarnings _warnings;
    private readonly ReportContext _context;
    private int _rootDepth;
    private int _textLength;
    private bool _done;
    private bool _failed;

    private DmarcReportReader(Stream stream, string source, DmarcReportLimits limits, IDisposable? owned, ReportContext context)
    {
        Source = source;
        _limits = limits;
        _owned = owned;
        _context = context;
        _warnings = context.Warnings;
        _text = new char[limits.MaxFieldChars + 1];
        var nameTable = new NameTable();
        _n = new Names(nameTable);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
            NameTable = nameTable,
            CloseInput = true,
            Async = false,
        };
        // The lenient pre-pass repairs what has one reading, with a warning each; the strict reader reads the result.
        _xml = Create(new ReportXmlRepair(stream, _warnings), settings, source);
        _line = (IXmlLineInfo)_xml;
        Header = Guarded(ReadHeader);
    }

    /// <summary>
    /// The reader over <paramref name="stream"/>. <see cref="XmlReader.Create(Stream, XmlReaderSettings)"/> already reads
    /// the first bytes to detect the encoding, so a byte-order mark of an unsupported encoding (FE FF 00 00: UCS-4,
    /// found by AFL++) throws there, before <see cref="Guarded"/> can map it: it is mapped here the same way.
    /// </summary>
    private static XmlReader Create(Stream stream, XmlReaderSettings settings, string source)
    {
        try
        {
            return XmlReader.Create(stream, settings);
        }
        catch (XmlException e)
        {
            throw new DmarcReportException(DmarcReportErrorKind.MalformedXml, source, Math.Max(e.LineNumber, 0), Math.Max(e.LinePosition, 0),
                e.Message.Split(" Line ", 2)[0].TrimEnd(), e);
        }
        catch (InvalidDataException e)
        {
            throw new DmarcReportException(DmarcReportErrorKind.CorruptArchive, source, 0, 0, $"corrupt compressed data: {e.Message}", e);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new DmarcReportException(DmarcReportErrorKind.MalformedXml, source, 0, 0, $"invalid character encoding: {e.Message}", e);
        }
    }

    /// <summary>Opens a report on XML bytes (no decompression, no sniffing) and reads its header.</summary>
    /// <exception cref="DmarcReportException">The header is missing, malformed or hostile.</exception>
    public static DmarcReportReader Open(Stream xml, string source, DmarcReportLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        limits ??= new DmarcReportLimits();
        limits.Validate();
        return new DmarcReportReader(new LimitedStream(xml, new ReadBudget(limits), source, null), source, limits, null,
            new ReportContext(new DmarcReportWarnings(limits.MaxWarnings), ReporterFromFileName(source)));
    }

    internal static DmarcReportReader Open(Stream xml, string source, DmarcReportLimits limits, IDisposable? owned, ReportContext context)
    {
        try
        {
            return new DmarcReportReader(xml, source, limits, owned, context);
        }
        catch
        {
            xml.Dispose();
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>The input's name, as in error messages (<c>reports.zip!google.xml</c>).</summary>
    public string Source { get; }

    /// <summary>Metadata and published policy, read on open.</summary>
    public DmarcReportHeader Header { get; }

    /// <summary>Records read so far.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>True once the document was read to its end and found complete: the point to commit.</summary>
    public bool IsComplete => _done && !_failed;

    /// <summary>
    /// What was recovered, from every layer (email, archive, pre-pass, this reader), at most
    /// <see cref="DmarcReportLimits.MaxWarnings"/>; complete only once <see cref="IsComplete"/> (trailing bytes are found last).
    /// </summary>
    public IReadOnlyList<DmarcReportWarning> Warnings => _warnings.Kept;

    /// <summary>Warnings including those not kept.</summary>
    public int WarningCount => _warnings.Count;

    /// <summary>
    /// The reporter named by an RFC 7489 §7.2.1.1 file name (<c>receiver!policy-domain!begin!end[!id].xml.gz</c>),
    /// from the innermost name of <paramref name="source"/> that has that shape; null otherwise.
    /// </summary>
    internal static string? ReporterFromFileName(string source)
    {
        // Names inside archives are joined by '!' too (outer!inner), so look for "receiver!domain!digits!digits".
        var parts = source.Split('!');
        for (var i = parts.Length - 4; i >= 0; i--)
        {
            if (parts[i + 2].All(char.IsAsciiDigit) && parts[i + 2].Length > 0 && parts[i + 3].TakeWhile(char.IsAsciiDigit).Any()
                && parts[i].Length > 0 && parts[i + 1].Contains('.', StringComparison.Ordinal))
            {
                var receiver = System.IO.Path.GetFileName(parts[i]);
                return receiver.Contains('.', StringComparison.Ordinal) ? receiver.ToLowerInvariant() : null;
            }
        }
        return null;
    }

    /// <summary>The records, in document order. Throws <see cref="DmarcReportException"/> on the first problem.</summary>
    public IEnumerable<DmarcReportRecord> ReadRecords(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = Guarded(NextRecord);
            if (record is null)
            {
                yield break;
            }
            yield return record;
        }
    }

    /// <summary>The records as an async sequence, for consumers whose per-record work is asynchronous (a database).</summary>
    public IAsyncEnumerable<DmarcReportRecord> ReadRecordsAsync(CancellationToken cancellationToken = default) =>
        ReadRecords(cancellationToken).ToAsyncEnumerable();

    /// <summary>Reads the remaining records into <paramref name="sink"/> (or discards them) and returns when the report is complete.</summary>
    public void ReadToEnd(Action<DmarcReportRecord>? sink = null, CancellationToken cancellationToken = default)
    {
        foreach (var r in ReadRecords(cancellationToken))
        {
            sink?.Invoke(r);
        }
    }

    /// <summary>Closes the XML reader and any stream the reader opened (archive entries, decompression).</summary>
    public void Dispose()
    {
        _xml.Dispose();
        _owned?.Dispose();
    }

    private T Guarded<T>(Func<T> read)
    {
        if (_failed)
        {
            throw new InvalidOperationException("the report already failed");
        }
        try
        {
            return read();
        }
        catch (XmlException e)
        {
            _failed = true;
            var dtd = e.Message.Contains("DTD", StringComparison.Ordinal);
            var reason = dtd ? "DOCTYPE is not allowed (DTDs, and so entities, are refused)" : e.Message.Split(" Line ", 2)[0].TrimEnd();
            throw new DmarcReportException(dtd ? DmarcReportErrorKind.DtdProhibited : DmarcReportErrorKind.MalformedXml,
                Source, e.LineNumber > 0 ? e.LineNumber : _line.LineNumber, e.LineNumber > 0 ? e.LinePosition : _line.LinePosition, reason, e);
        }
        catch (DmarcReportException e) when (e.Line == 0 && e.Kind == DmarcReportErrorKind.LimitExceeded)
        {
            _failed = true;
            throw new DmarcReportException(e.Kind, Source, _line.LineNumber, _line.LinePosition, e.Reason, e);
        }
        catch (InvalidDataException e)
        {
            _failed = true;
            throw new DmarcReportException(DmarcReportErrorKind.CorruptArchive, Source, _line.LineNumber, _line.LinePosition,
                $"corrupt compressed data: {e.Message}", e);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            _failed = true;
            throw new DmarcReportException(DmarcReportErrorKind.MalformedXml, Source, _line.LineNumber, _line.LinePosition,
                $"invalid character encoding: {e.Message}", e);
        }
        catch (DmarcReportException)
        {
            _failed = true;
            throw;
        }
    }

    // ---- structure ---------------------------------------------------------------------------------------------

    private DmarcReportHeader ReadHeader()
    {
        if (_xml.MoveToContent() != XmlNodeType.Element)
        {
            throw Error(DmarcReportErrorKind.MalformedXml, "no root element");
        }
        if (!ReferenceEquals(_xml.LocalName, _n.Feedback))
        {
            FindWrappedFeedback();
        }
        _rootDepth = _xml.Depth;
        var ns = _xml.NamespaceURI;
        var (rootLine, rootColumn) = Position();
        string? version = null;
        DmarcReportMetadata? metadata = null;
        DmarcPolicyPublished? policy = null;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(_rootDepth))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Record))
            {
                _atRecord = true;
                break;
            }
            if (ReferenceEquals(name, _n.Version))
            {
                version = OptionalString();
            }
            else if (ReferenceEquals(name, _n.ReportMetadata))
            {
                metadata = ReadMetadata();
            }
            else if (ReferenceEquals(name, _n.PolicyPublished))
            {
                policy = ReadPolicy();
            }
            else
            {
                SkipElement();
            }
        }
        if (!_atRecord)
        {
            _done = true;
            ReadToEof();
        }
        if (metadata is null || policy is null)
        {
            throw new DmarcReportException(DmarcReportErrorKind.MissingElement, Source, rootLine, rootColumn,
                $"<{(metadata is null ? "report_metadata" : "policy_published")}> missing before the first <record>");
        }
        if (!_atRecord)
        {
            Warn(rootLine, rootColumn, DmarcReportWarningCodes.NoRecords, "report has no <record>");
        }
        return new DmarcReportHeader(ns, version, metadata, policy);
    }

    private bool _atRecord;

    private DmarcReportRecord? NextRecord()
    {
        if (_done)
        {
            return null;
        }
        while (_atRecord || NextChild(_rootDepth))
        {
            _atRecord = false;
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Record))
            {
                var record = ReadRecord();
                RecordsRead++;
                return record;
            }
            if (ReferenceEquals(name, _n.ReportMetadata) || ReferenceEquals(name, _n.PolicyPublished))
            {
                throw Error(DmarcReportErrorKind.InvalidValue, $"<{_xml.LocalName}> after a <record>");
            }
            SkipElement();
        }
        _done = true;
        ReadToEof();
        return null;
    }

    private void ReadToEof()
    {
        // Past </feedback>: only comments, PIs and whitespace may follow (the pre-pass dropped other bytes after the
        // root); XmlReader throws on anything else. Inside a wrapper, a second report would be ambiguous: refused.
        while (_xml.Read())
        {
            if (_xml.NodeType == XmlNodeType.Element && ReferenceEquals(_xml.LocalName, _n.Feedback))
            {
                throw Error(DmarcReportErrorKind.InvalidValue, "a second <feedback> in the same document: which report is meant is ambiguous");
            }
        }
    }

    /// <summary>
    /// The root is not <c>feedback</c>: some reporters wrap the report (an <c>xs:schema</c> root, a SOAP-like envelope).
    /// The first <c>feedback</c> element below it is the report, with a warning; none at all is still a wrong root.
    /// </summary>
    private void FindWrappedFeedback()
    {
        var (line, column) = Position();
        var root = _xml.Name;
        while (_xml.Read())
        {
            if (_xml.NodeType == XmlNodeType.Element && ReferenceEquals(_xml.LocalName, _n.Feedback))
            {
                Warn(line, column, DmarcReportWarningCodes.WrapperElement, $"the report is wrapped in <{root}>: read the <feedback> inside it");
                return;
            }
        }
        throw new DmarcReportException(DmarcReportErrorKind.WrongRoot, Source, line, column,
            $"root element is <{root}>, not <feedback>, and holds no <feedback>: not a DMARC aggregate report");
    }

    private DmarcReportMetadata ReadMetadata()
    {
        var (line, column) = Position();
        string? org = null, email = null, extra = null, id = null, generator = null;
        DateTimeOffset? begin = null, end = null;
        List<string>? errors = null;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.OrgName)) { org = OptionalString(); }
            else if (ReferenceEquals(name, _n.Email)) { email = OptionalString(); }
            else if (ReferenceEquals(name, _n.ExtraContactInfo)) { extra = OptionalString(); }
            else if (ReferenceEquals(name, _n.ReportId)) { id = OptionalString(); }
            else if (ReferenceEquals(name, _n.Generator)) { generator = OptionalString(); }
            else if (ReferenceEquals(name, _n.Error))
            {
                if (OptionalString() is { } e)
                {
                    (errors ??= []).Add(e);
                }
            }
            else if (ReferenceEquals(name, _n.DateRange))
            {
                var dd = _xml.Depth;
                var emptyRange = _xml.IsEmptyElement;
                while (!emptyRange && NextChild(dd))
                {
                    if (ReferenceEquals(_xml.LocalName, _n.Begin)) { begin = Timestamp(); }
                    else if (ReferenceEquals(_xml.LocalName, _n.End)) { end = Timestamp(); }
                    else { SkipElement(); }
                }
            }
            else
            {
                SkipElement();
            }
        }
        string Required(string? value, string element) => value ?? throw new DmarcReportException(
            DmarcReportErrorKind.MissingElement, Source, line, column, $"<report_metadata> has no <{element}>");
        if (begin is null || end is null)
        {
            Required(null, begin is null ? "date_range/begin" : "date_range/end");
        }
        org ??= OrgFallback(email, line, column);
        if (email is null)
        {
            Warn(line, column, DmarcReportWarningCodes.MissingElement, "<report_metadata> has no <email>");
        }
        var (from, to) = (begin!.Value, end!.Value);
        if (from > to)
        {
            Warn(line, column, DmarcReportWarningCodes.DateRangeReversed, $"<date_range> begins after it ends ({from:u} > {to:u}): read the other way round");
            (from, to) = (to, from);
        }
        return new DmarcReportMetadata(Required(org, "org_name"), email, extra, Required(id, "report_id"), from, to,
            errors ?? (IReadOnlyList<string>)[], generator);
    }

    /// <summary>
    /// An empty or missing org_name: the domain of the contact <c>email</c>, else the reporter the file name or the
    /// report mail names; null (refused as before) when none is known, since a report must be attributable.
    /// </summary>
    private string? OrgFallback(string? email, int line, int column)
    {
        var at = email?.LastIndexOf('@') ?? -1;
        var domain = at >= 0 && at < email!.Length - 1 ? email[(at + 1)..].Trim().TrimEnd('>').ToLowerInvariant() : null;
        var (org, from) = domain is { Length: > 0 } && domain.Contains('.', StringComparison.Ordinal) ? (domain, "the domain of <email>")
            : _context.ReporterHint is { } hint ? (hint, "the reporter the file name or the report mail names")
            : (null, "");
        if (org is not null)
        {
            Warn(line, column, DmarcReportWarningCodes.MissingOrgName, $"<org_name> missing or empty: {org}, {from}");
        }
        return org;
    }

    private DmarcPolicyPublished ReadPolicy()
    {
        var (line, column) = Position();
        string? domain = null, fo = null, discovery = null;
        DmarcDisposition? p = null, sp = null, np = null;
        DmarcAlignmentMode? adkim = null, aspf = null;
        int? pct = null;
        bool? testing = null;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Domain)) { domain = OptionalString(); }
            else if (ReferenceEquals(name, _n.P)) { p = OptionalDisposition("p"); }
            else if (ReferenceEquals(name, _n.Sp)) { sp = OptionalDisposition("sp"); }
            else if (ReferenceEquals(name, _n.Np)) { np = OptionalDisposition("np"); }
            else if (ReferenceEquals(name, _n.Adkim)) { adkim = OptionalAlignmentMode("adkim"); }
            else if (ReferenceEquals(name, _n.Aspf)) { aspf = OptionalAlignmentMode("aspf"); }
            else if (ReferenceEquals(name, _n.Fo)) { fo = OptionalString(); }
            else if (ReferenceEquals(name, _n.DiscoveryMethod)) { discovery = OptionalString(); }
            else if (ReferenceEquals(name, _n.Pct))
            {
                var (l, c) = Position();
                var text = ReadText();
                if (text.Length > 0)
                {
                    pct = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 100
                        ? v : throw new DmarcReportException(DmarcReportErrorKind.InvalidValue, Source, l, c, $"<pct> is not 0-100: '{text}'");
                }
            }
            else if (ReferenceEquals(name, _n.Testing))
            {
                var (l, c) = Position();
                var text = ReadText();
                testing = text.Length == 0 ? null : text.Equals("y", StringComparison.OrdinalIgnoreCase) ? true
                    : text.Equals("n", StringComparison.OrdinalIgnoreCase) ? false : WarnNull(l, c, $"unknown <testing> '{text}'");
            }
            else
            {
                SkipElement();
            }
        }
        if (domain is null)
        {
            throw new DmarcReportException(DmarcReportErrorKind.MissingElement, Source, line, column, "<policy_published> has no <domain>");
        }
        return new DmarcPolicyPublished(domain, p, sp, np, adkim, aspf, pct, fo, testing, discovery);
    }

    private DmarcReportRecord ReadRecord()
    {
        var (line, column) = Position();
        IPAddress? ip = null;
        long? count = null;
        var disposition = DmarcDisposition.Unknown;
        var dispositionSeen = false;
        DmarcAlignmentResult? dkim = null, spf = null;
        List<DmarcPolicyOverrideReason>? reasons = null;
        string? headerFrom = null, envelopeFrom = null, envelopeTo = null;
        List<DmarcDkimAuthResult>? dkimResults = null;
        List<DmarcSpfAuthResult>? spfResults = null;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Row))
            {
                var rd = _xml.Depth;
                var emptyRow = _xml.IsEmptyElement;
                while (!emptyRow && NextChild(rd))
                {
                    var rn = _xml.LocalName;
                    if (ReferenceEquals(rn, _n.SourceIp)) { ip = Ip(); }
                    else if (ReferenceEquals(rn, _n.Count)) { count = Count(); }
                    else if (ReferenceEquals(rn, _n.PolicyEvaluated))
                    {
                        var pd = _xml.Depth;
                        var emptyPe = _xml.IsEmptyElement;
                        while (!emptyPe && NextChild(pd))
                        {
                            var pn = _xml.LocalName;
                            if (ReferenceEquals(pn, _n.Disposition))
                            {
                                disposition = OptionalDisposition("disposition") ?? DmarcDisposition.Unknown;
                                dispositionSeen = true;
                            }
                            else if (ReferenceEquals(pn, _n.Dkim)) { dkim = AlignmentResult("dkim"); }
                            else if (ReferenceEquals(pn, _n.Spf)) { spf = AlignmentResult("spf"); }
                            else if (ReferenceEquals(pn, _n.Reason)) { (reasons ??= []).Add(ReadReason()); }
                            else { SkipElement(); }
                        }
                    }
                    else { SkipElement(); }
                }
            }
            else if (ReferenceEquals(name, _n.Identifiers))
            {
                var id = _xml.Depth;
                var emptyIds = _xml.IsEmptyElement;
                while (!emptyIds && NextChild(id))
                {
                    var inn = _xml.LocalName;
                    if (ReferenceEquals(inn, _n.HeaderFrom)) { headerFrom = OptionalString(); }
                    else if (ReferenceEquals(inn, _n.EnvelopeFrom)) { envelopeFrom = OptionalString(); }
                    else if (ReferenceEquals(inn, _n.EnvelopeTo)) { envelopeTo = OptionalString(); }
                    else { SkipElement(); }
                }
            }
            else if (ReferenceEquals(name, _n.AuthResults))
            {
                var ad = _xml.Depth;
                var emptyAuth = _xml.IsEmptyElement;
                while (!emptyAuth && NextChild(ad))
                {
                    if (ReferenceEquals(_xml.LocalName, _n.Dkim)) { (dkimResults ??= []).Add(ReadDkimResult()); }
                    else if (ReferenceEquals(_xml.LocalName, _n.Spf)) { (spfResults ??= []).Add(ReadSpfResult()); }
                    else { SkipElement(); }
                }
            }
            else
            {
                SkipElement();
            }
        }
        if (ip is null || count is null)
        {
            throw new DmarcReportException(DmarcReportErrorKind.MissingElement, Source, line, column,
                $"<record> has no <row>/<{(ip is null ? "source_ip" : "count")}>");
        }
        if (!dispositionSeen)
        {
            Warn(line, column, DmarcReportWarningCodes.MissingElement, "<record> has no <policy_evaluated>/<disposition>");
        }
        if (dkim is null || spf is null)
        {
            Warn(line, column, DmarcReportWarningCodes.MissingElement, $"<record> has no <policy_evaluated>/<{(dkim is null ? "dkim" : "spf")}>");
        }
        if (headerFrom is null)
        {
            Warn(line, column, DmarcReportWarningCodes.MissingElement, "<record> has no <identifiers>/<header_from>");
        }
        return new DmarcReportRecord(ip, count.Value, disposition, dkim ?? DmarcAlignmentResult.Unknown, spf ?? DmarcAlignmentResult.Unknown,
            reasons ?? (IReadOnlyList<DmarcPolicyOverrideReason>)[], headerFrom ?? "", envelopeFrom, envelopeTo,
            dkimResults ?? (IReadOnlyList<DmarcDkimAuthResult>)[], spfResults ?? (IReadOnlyList<DmarcSpfAuthResult>)[]);
    }

    private DmarcPolicyOverrideReason ReadReason()
    {
        var type = DmarcPolicyOverride.Unknown;
        string? comment = null;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            if (ReferenceEquals(_xml.LocalName, _n.Type))
            {
                var (l, c) = Position();
                var text = ReadText();
                type = DmarcReportTokens.ParsePolicyOverride(text);
                if (type == DmarcPolicyOverride.Unknown)
                {
                    Warn(l, c, DmarcReportWarningCodes.UnknownToken, $"unknown override reason '{text}'");
                }
            }
            else if (ReferenceEquals(_xml.LocalName, _n.Comment)) { comment = OptionalString(); }
            else { SkipElement(); }
        }
        return new DmarcPolicyOverrideReason(type, comment);
    }

    private DmarcDkimAuthResult ReadDkimResult()
    {
        string? domain = null, selector = null, human = null;
        var result = DmarcAuthResult.Unknown;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Domain)) { domain = OptionalString(); }
            else if (ReferenceEquals(name, _n.Selector)) { selector = OptionalString(); }
            else if (ReferenceEquals(name, _n.Result)) { result = AuthResult("dkim result"); }
            else if (ReferenceEquals(name, _n.HumanResult)) { human = OptionalString(); }
            else { SkipElement(); }
        }
        return new DmarcDkimAuthResult(domain ?? "", selector, result, human);
    }

    private DmarcSpfAuthResult ReadSpfResult()
    {
        string? domain = null, human = null;
        DmarcSpfScope? scope = null;
        var result = DmarcAuthResult.Unknown;
        var d = _xml.Depth;
        var empty = _xml.IsEmptyElement;
        while (!empty && NextChild(d))
        {
            var name = _xml.LocalName;
            if (ReferenceEquals(name, _n.Domain)) { domain = OptionalString(); }
            else if (ReferenceEquals(name, _n.Result)) { result = AuthResult("spf result"); }
            else if (ReferenceEquals(name, _n.HumanResult)) { human = OptionalString(); }
            else if (ReferenceEquals(name, _n.Scope))
            {
                var (l, c) = Position();
                var text = ReadText();
                if (text.Length > 0)
                {
                    scope = DmarcReportTokens.ParseSpfScope(text);
                    if (scope == DmarcSpfScope.Unknown)
                    {
                        Warn(l, c, DmarcReportWarningCodes.UnknownToken, $"unknown SPF scope '{text}'");
                    }
                }
            }
            else { SkipElement(); }
        }
        return new DmarcSpfAuthResult(domain ?? "", scope, result, human);
    }

    // ---- values ------------------------------------------------------------------------------------------------

    private IPAddress Ip()
    {
        var (l, c) = Position();
        var text = ReadText();
        // IPAddress.TryParse accepts "1", "0x1" and the like; a report IP must look like an IPv4 or IPv6 address.
        if ((text.Contains('.') || text.Contains(':')) && IPAddress.TryParse(text, out var ip))
        {
            return ip;
        }
        throw new DmarcReportException(DmarcReportErrorKind.InvalidValue, Source, l, c, $"<source_ip> is not an IP address: '{text}'");
    }

    private long Count()
    {
        var (l, c) = Position();
        var text = ReadText();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new DmarcReportException(DmarcReportErrorKind.InvalidValue, Source, l, c, $"<count> is not a non-negative integer: '{text}'");
    }

    private DateTimeOffset Timestamp()
    {
        var (l, c) = Position();
        var text = ReadText();
        var written = new string(text);
        // Unix seconds; a few reporters write "1700000000.0".
        var dot = text.IndexOf('.');
        if (dot > 0 && !text[(dot + 1)..].ContainsAnyExceptInRange('0', '9'))
        {
            text = text[..dot];
            Warn(l, c, DmarcReportWarningCodes.TimestampFraction, $"<{_lastElement}> '{written}' has a fraction: read as {new string(text)}");
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s))
        {
            // Past year 5138 in seconds is no report date; in milliseconds it is 1973 to 9999: unambiguous.
            if (s is > MillisecondsFrom and <= 253402300799999)
            {
                Warn(l, c, DmarcReportWarningCodes.DateRangeMilliseconds, $"<{_lastElement}> '{written}' is in milliseconds: read as {s / 1000} seconds");
                s /= 1000;
            }
            if (s is >= -62135596800 and <= 253402300799)
            {
                return DateTimeOffset.FromUnixTimeSeconds(s);
            }
        }
        throw new DmarcReportException(DmarcReportErrorKind.InvalidValue, Source, l, c, $"<{_lastElement}> is not a Unix timestamp: '{text}'");
    }

    /// <summary>Seconds of the year 5138: larger timestamps are read as milliseconds.</summary>
    private const long MillisecondsFrom = 100_000_000_000;

    private delegate T TokenParser<T>(ReadOnlySpan<char> text);

    /// <summary>
    /// Reads an element holding a token. An unknown token is kept as the type's Unknown value and warned about, so
    /// a reporter's new word never loses a report. With <paramref name="optional"/>, an empty element is null.
    /// </summary>
    private T? Token<T>(string what, TokenParser<T> parse, Func<T, string> token, T unknown, bool optional)
        where T : struct, Enum
    {
        var (l, c) = Position();
        var text = ReadText();
        if (optional && text.Length == 0)
        {
            return null;
        }
        var v = parse(text);
        if (EqualityComparer<T>.Default.Equals(v, unknown))
        {
            Warn(l, c, DmarcReportWarningCodes.UnknownToken, $"unknown {what} '{text}'");
        }
        else if (!text.SequenceEqual(token(v)))
        {
            // Never silent: "Pass" and the legacy "unknown"/"error"/"hardfail" are read, and said to be read.
            var (code, how) = text.Equals(token(v), StringComparison.OrdinalIgnoreCase)
                ? (DmarcReportWarningCodes.TokenCase, "letter case differs from")
                : (DmarcReportWarningCodes.LegacyToken, "legacy word read as");
            Warn(l, c, code, $"{what} '{text}': {how} '{token(v)}'");
        }
        return v;
    }

    private DmarcDisposition? OptionalDisposition(string element) =>
        Token($"<{element}>", DmarcReportTokens.ParseDisposition, DmarcReportTokens.Token, DmarcDisposition.Unknown, optional: true);

    private DmarcAlignmentMode? OptionalAlignmentMode(string element) =>
        Token($"<{element}>", DmarcReportTokens.ParseAlignmentMode, DmarcReportTokens.Token, DmarcAlignmentMode.Unknown, optional: true);

    private DmarcAlignmentResult AlignmentResult(string element) =>
        Token($"<policy_evaluated>/<{element}>", DmarcReportTokens.ParseAlignmentResult, DmarcReportTokens.Token, DmarcAlignmentResult.Unknown,
            optional: false)!.Value;

    private DmarcAuthResult AuthResult(string what) =>
        Token(what, DmarcReportTokens.ParseAuthResult, DmarcReportTokens.Token, DmarcAuthResult.Unknown, optional: false)!.Value;

    private string? OptionalString()
    {
        var text = ReadText();
        return text.Length == 0 ? null : new string(text);
    }

    // ---- XmlReader plumbing --------------------------------------------------------------------------------

    private string _lastElement = "";

    /// <summary>
    /// From a start element, the trimmed text content into a reused buffer; positioned on the end element after.
    /// Child elements inside a text field are an error. Longer than MaxFieldChars: limit error, before allocating.
    /// </summary>
    private ReadOnlySpan<char> ReadText()
    {
        _lastElement = _xml.LocalName;
        _textLength = 0;
        if (_xml.IsEmptyElement)
        {
            return [];
        }
        var depth = _xml.Depth;
        while (_xml.Read())
        {
            switch (_xml.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                    AppendValue();
                    break;
                case XmlNodeType.EndElement when _xml.Depth == depth:
                    return _text.AsSpan(0, _textLength).Trim();
                case XmlNodeType.Element:
                    throw Error(DmarcReportErrorKind.InvalidValue, $"unexpected element <{_xml.Name}> inside <{_lastElement}>");
                default:
                    break;
            }
        }
        throw Error(DmarcReportErrorKind.MalformedXml, "unexpected end of document");
    }

    private void AppendValue()
    {
        if (_xml.CanReadValueChunk)
        {
            int n;
            while ((n = _xml.ReadValueChunk(_text, _textLength, _text.Length - _textLength)) > 0)
            {
                _textLength += n;
                if (_textLength == _text.Length)
                {
                    throw TooLong();
                }
            }
            return;
        }
        var value = _xml.Value;
        if (_textLength + value.Length >= _text.Length)
        {
            throw TooLong();
        }
        value.CopyTo(_text.AsSpan(_textLength));
        _textLength += value.Length;
    }

    private DmarcReportException TooLong() =>
        Error(DmarcReportErrorKind.LimitExceeded, $"<{_lastElement}> longer than {_limits.MaxFieldChars} characters (limit MaxFieldChars)");

    /// <summary>Advances to the next child element of the element at <paramref name="parentDepth"/>; false at its end.</summary>
    private bool NextChild(int parentDepth)
    {
        while (_xml.Read())
        {
            switch (_xml.NodeType)
            {
                case XmlNodeType.Element when _xml.Depth == parentDepth + 1:
                    return true;
                case XmlNodeType.EndElement when _xml.Depth == parentDepth:
                    return false;
                default:
                    break; // Stray text between elements is ignored.
            }
        }
        throw Error(DmarcReportErrorKind.MalformedXml, "unexpected end of document");
    }

    /// <summary>From a start element, to its end element (unknown elements, extensions).</summary>
    private void SkipElement()
    {
        if (_xml.IsEmptyElement)
        {
            return;
        }
        var depth = _xml.Depth;
        while (_xml.Read())
        {
            if (_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth)
            {
                return;
            }
        }
        throw Error(DmarcReportErrorKind.MalformedXml, "unexpected end of document");
    }

    private (int Line, int Column) Position() => (_line.LineNumber, _line.LinePosition);

    private DmarcReportException Error(DmarcReportErrorKind kind, string reason) =>
        new(kind, Source, _line.LineNumber, _line.LinePosition, reason);

    private void Warn(int line, int column, string code, string text) => _warnings.Add(code, text, DmarcReportWarnings.At(line, column));

    private bool? WarnNull(int line, int column, string text)
    {
        Warn(line, column, DmarcReportWarningCodes.Tolerated, text);
        return null;
    }

    /// <summary>Element names atomized in the reader's name table: matching is a reference comparison.</summary>
    private sealed class Names(NameTable t)
    {
        public readonly string Feedback = t.Add("feedback"), Version = t.Add("version"), ReportMetadata = t.Add("report_metadata"),
            PolicyPublished = t.Add("policy_published"), Record = t.Add("record"), OrgName = t.Add("org_name"), Email = t.Add("email"),
            ExtraContactInfo = t.Add("extra_contact_info"), ReportId = t.Add("report_id"), DateRange = t.Add("date_range"),
            Begin = t.Add("begin"), End = t.Add("end"), Error = t.Add("error"), Generator = t.Add("generator"), Domain = t.Add("domain"),
            P = t.Add("p"), Sp = t.Add("sp"), Np = t.Add("np"), Adkim = t.Add("adkim"), Aspf = t.Add("aspf"), Pct = t.Add("pct"),
            Fo = t.Add("fo"), Testing = t.Add("testing"), DiscoveryMethod = t.Add("discovery_method"), Row = t.Add("row"),
            SourceIp = t.Add("source_ip"), Count = t.Add("count"), PolicyEvaluated = t.Add("policy_evaluated"),
            Disposition = t.Add("disposition"), Dkim = t.Add("dkim"), Spf = t.Add("spf"), Reason = t.Add("reason"), Type = t.Add("type"),
            Comment = t.Add("comment"), Identifiers = t.Add("identifiers"), HeaderFrom = t.Add("header_from"),
            EnvelopeFrom = t.Add("envelope_from"), EnvelopeTo = t.Add("envelope_to"), AuthResults = t.Add("auth_results"),
            Selector = t.Add("selector"), Result = t.Add("result"), HumanResult = t.Add("human_result"), Scope = t.Add("scope");
    }
}
