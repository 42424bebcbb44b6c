using System.IO.Compression;
using System.Runtime.CompilerServices;
using MimeKit;

namespace SenderAuth.Reports;

/// <summary>
/// Opens aggregate reports wherever they come in: plain XML, gzip (<c>.xml.gz</c>), zip (one or several entries,
/// nested archives up to <see cref="DmarcReportLimits.MaxNestingDepth"/>), or an email (<c>.eml</c>) carrying any
/// of these as attachments. The format is sniffed from the first bytes, never taken from the file name.
/// </summary>
/// <remarks>
/// <para>Streaming use, one transaction per report:</para>
/// <code>
/// await foreach (var report in parser.ReadFileAsync(path, ct))
/// {
///     using var tx = db.Begin(report.Header);
///     await foreach (var record in report.ReadRecordsAsync(ct)) { tx.Add(record); }
///     tx.Commit(); // reached only when the document was complete and valid
/// }
/// </code>
/// <para>A <see cref="DmarcReportException"/> from either loop means: roll back. Each yielded reader is disposed
/// when the next one is requested. Security: see <see cref="DmarcReportLimits"/> and <see cref="DmarcReportReader"/>.</para>
/// </remarks>
public sealed class DmarcReportParser
{
    private const int SniffBytes = 512;

    /// <summary>A parser enforcing <paramref name="limits"/> (defaults when null) on every input it opens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public DmarcReportParser(DmarcReportLimits? limits = null)
    {
        Limits = limits ?? new DmarcReportLimits();
        Limits.Validate();
    }

    /// <summary>The limits in effect: sizes, counts, nesting and decompression ratio.</summary>
    public DmarcReportLimits Limits { get; }

    /// <summary>The reports in a file, in order (zip entries in archive order, attachments in MIME order).</summary>
    public async IAsyncEnumerable<DmarcReportReader> ReadFileAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            await foreach (var r in ReadAsync(file, Path.GetFileName(path), cancellationToken).ConfigureAwait(false))
            {
                yield return r;
            }
        }
    }

    /// <summary>The reports in <paramref name="input"/> (left open), named <paramref name="source"/> in errors.</summary>
    public IAsyncEnumerable<DmarcReportReader> ReadAsync(Stream input, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var context = new ReportContext(new DmarcReportWarnings(Limits.MaxWarnings), DmarcReportReader.ReporterFromFileName(source));
        return ReadLayerAsync(new NonClosingStream(input), source, new ReadBudget(Limits), 0, allowEmail: true, context, cancellationToken);
    }

    /// <summary>Reads every report of a file and returns one summary per report; no record is kept.</summary>
    /// <exception cref="DmarcReportException">Any report in the file is unreadable: the file counts as not imported.</exception>
    public async Task<IReadOnlyList<DmarcReportSummary>> SummarizeFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var summaries = new List<DmarcReportSummary>();
        await foreach (var report in ReadFileAsync(path, cancellationToken).ConfigureAwait(false))
        {
            summaries.Add(Summarize(report, cancellationToken));
        }
        return summaries;
    }

    /// <summary>As <see cref="SummarizeFileAsync"/>, on a stream.</summary>
    public async Task<IReadOnlyList<DmarcReportSummary>> SummarizeAsync(Stream input, string source, CancellationToken cancellationToken = default)
    {
        var summaries = new List<DmarcReportSummary>();
        await foreach (var report in ReadAsync(input, source, cancellationToken).ConfigureAwait(false))
        {
            summaries.Add(Summarize(report, cancellationToken));
        }
        return summaries;
    }

    /// <summary>Reads the rest of <paramref name="report"/> into a summary.</summary>
    public static DmarcReportSummary Summarize(DmarcReportReader report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var builder = new DmarcReportSummaryBuilder();
        report.ReadToEnd(builder.Add, cancellationToken);
        return builder.Build(report);
    }

    private enum Format
    {
        Xml,
        Gzip,
        Zip,
        Email,
        Unknown,
    }

    private async IAsyncEnumerable<DmarcReportReader> ReadLayerAsync(
        Stream stream, string source, ReadBudget budget, int depth, bool allowEmail, ReportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        byte[] head = new byte[SniffBytes];
        int headLength;
        try
        {
            headLength = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Corrupt(source, e);
        }
        var format = Sniff(head.AsSpan(0, headLength));
        var whole = new PrefixedStream(head, headLength, stream);
        switch (format)
        {
            case Format.Xml:
                {
                    var reader = DmarcReportReader.Open(whole, source, Limits, null, context);
                    try
                    {
                        yield return reader;
                    }
                    finally
                    {
                        reader.Dispose();
                    }
                    break;
                }
            case Format.Gzip:
                {
                    CheckDepth(source, depth);
                    var tail = new GzipTailCheck(whole, source, context.Warnings);
                    var counting = new CountingStream(tail, leaveOpen: false);
                    var gzip = new GZipStream(counting, CompressionMode.Decompress);
                    var limited = new LimitedStream(tail.Watch(gzip), budget, source, () => counting.Count);
                    await foreach (var r in ReadLayerAsync(limited, source, budget, depth + 1, false, context, ct).ConfigureAwait(false))
                    {
                        yield return r;
                    }
                    break;
                }
            case Format.Zip:
                CheckDepth(source, depth);
                // The outermost zip of a seekable input (a file) is read in place; anything else is spooled.
                var inPlace = depth == 0 && stream is NonClosingStream { Inner.CanSeek: true } outer && outer.Inner.Position == headLength
                    ? outer.Inner : null;
                inPlace?.Seek(0, SeekOrigin.Begin);
                await foreach (var r in ReadZipAsync(inPlace is null ? whole : null, inPlace, source, budget, depth + 1, context, ct).ConfigureAwait(false))
                {
                    yield return r;
                }
                break;
            case Format.Email when allowEmail && depth == 0:
                await foreach (var r in ReadEmailAsync(whole, source, budget, context, ct).ConfigureAwait(false))
                {
                    yield return r;
                }
                break;
            default:
                await whole.DisposeAsync().ConfigureAwait(false);
                throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0,
                    headLength == 0 ? "empty input" : "not XML, gzip, zip or an email carrying a report");
        }
    }

    private async IAsyncEnumerable<DmarcReportReader> ReadZipAsync(Stream? stream, Stream? seekable, string source, ReadBudget budget, int depth,
        ReportContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        // ZipArchive needs a seekable stream. A zip in a gzip, a zip in a zip or a non-seekable input is spooled to a
        // temporary file (deleted on close), through the budget, never to memory.
        var spool = seekable ?? new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose);
        await using ((seekable is null ? spool : Stream.Null).ConfigureAwait(false))
        {
            if (stream is not null)
            {
                try
                {
                    var spoolLimited = new LimitedStream(stream, budget, source, null);
                    await using (spoolLimited.ConfigureAwait(false))
                    {
                        await spoolLimited.CopyToAsync(spool, ct).ConfigureAwait(false);
                    }
                }
                catch (InvalidDataException e)
                {
                    throw Corrupt(source, e);
                }
            }
            spool.Position = 0;
            var zip = OpenZip(spool, source);
            using (zip)
            {
                foreach (var entry in zip.Entries)
                {
                    ct.ThrowIfCancellationRequested();
                    if (entry.FullName.EndsWith('/') || entry.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var name = $"{source}!{entry.FullName}";
                    if (entry.Length > Limits.MaxDecompressedBytes - budget.Used)
                    {
                        throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, name, 0, 0,
                            $"entry declares {entry.Length:N0} bytes, more than MaxDecompressedBytes allows");
                    }
                    Stream entryStream;
                    try
                    {
                        entryStream = entry.Open();
                    }
                    catch (InvalidDataException e)
                    {
                        throw Corrupt(name, e);
                    }
                    var compressed = Math.Max(1, entry.CompressedLength);
                    var limited = new LimitedStream(entryStream, budget, name, () => compressed);
                    var entryContext = context.Fork(DmarcReportReader.ReporterFromFileName(entry.FullName));
                    await foreach (var r in ReadLayerAsync(limited, name, budget, depth, false, entryContext, ct).ConfigureAwait(false))
                    {
                        yield return r;
                    }
                }
            }
        }
    }

    private ZipArchive OpenZip(Stream seekable, string source)
    {
        try
        {
            var zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > Limits.MaxZipEntries)
            {
                var count = zip.Entries.Count;
                zip.Dispose();
                throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                    $"zip has {count} entries, more than {Limits.MaxZipEntries} (limit MaxZipEntries)");
            }
            return zip;
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(source, e);
        }
    }

    private async IAsyncEnumerable<DmarcReportReader> ReadEmailAsync(Stream stream, string source, ReadBudget budget, ReportContext context,
        [EnumeratorCancellation] CancellationToken ct)
    {
        MimeMessage message;
        using (var buffer = new MemoryStream())
        {
            await using (stream.ConfigureAwait(false))
            {
                var chunk = new byte[81920];
                int n;
                while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + n > Limits.MaxEmlBytes)
                    {
                        throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                            $"email larger than {Limits.MaxEmlBytes:N0} bytes (limit MaxEmlBytes)");
                    }
                    buffer.Write(chunk, 0, n);
                }
            }
            buffer.Position = 0;
            try
            {
                message = await MimeMessage.LoadAsync(buffer, ct).ConfigureAwait(false);
            }
            catch (FormatException e)
            {
                throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0, $"not a readable email: {e.Message}", e);
            }
        }
        using (message)
        {
            var all = message.BodyParts.OfType<MimePart>().ToList();
            var parts = all.Where(p => IsReportType(p) || IsReportFileName(p)).ToList();
            var sniffed = false;
            if (parts.Count == 0)
            {
                // Neither a report content type nor a report file name (application/octet-stream, no name): the
                // first bytes decide, as for a file; at most MaxAttachments parts are decoded for that.
                parts = await SniffPartsAsync(all.Take(Limits.MaxAttachments), ct).ConfigureAwait(false);
                sniffed = true;
            }
            if (parts.Count == 0)
            {
                throw new DmarcReportException(DmarcReportErrorKind.UnsupportedFormat, source, 0, 0, "email carries no report attachment (xml, gzip or zip)");
            }
            var sender = message.From.Mailboxes.FirstOrDefault()?.Domain?.ToLowerInvariant();
            if (parts.Count > Limits.MaxAttachments)
            {
                throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                    $"email has {parts.Count} report attachments, more than {Limits.MaxAttachments} (limit MaxAttachments)");
            }
            var index = 0;
            foreach (var part in parts)
            {
                index++;
                var name = $"{source}!{part.FileName ?? $"part{index}"}";
                if (part.Content is null)
                {
                    continue;
                }
                var decoded = new MemoryStream();
                await part.Content.DecodeToAsync(decoded, ct).ConfigureAwait(false);
                decoded.Position = 0;
                var partContext = context.Fork(DmarcReportReader.ReporterFromFileName(part.FileName ?? "") ?? context.ReporterHint ?? sender);
                WarnAboutPart(part, index, decoded, sniffed, partContext.Warnings);
                await foreach (var r in ReadLayerAsync(decoded, name, budget, 0, false, partContext, ct).ConfigureAwait(false))
                {
                    yield return r;
                }
            }
        }
    }

    private static Format? TypeFormat(MimePart part) => part.ContentType.MimeType.ToLowerInvariant() switch
    {
        "application/gzip" or "application/x-gzip" => Format.Gzip,
        "application/zip" or "application/x-zip-compressed" or "application/x-zip" => Format.Zip,
        "text/xml" or "application/xml" => Format.Xml,
        _ => null,
    };

    private static Format? NameFormat(MimePart part)
    {
        var file = part.FileName?.ToLowerInvariant() ?? "";
        return file.EndsWith(".xml", StringComparison.Ordinal) ? Format.Xml
            : file.EndsWith(".gz", StringComparison.Ordinal) ? Format.Gzip
            : file.EndsWith(".zip", StringComparison.Ordinal) ? Format.Zip
            : null;
    }

    private static bool IsReportType(MimePart part) => TypeFormat(part) is not null;

    /// <summary>
    /// True when the file at <paramref name="path"/> is an email (as this parser sniffs a file) with no part this
    /// parser would read as a report (content type, file name or first bytes): a failure report, a stray message, or
    /// a mail too large (over <see cref="DmarcReportLimits.MaxEmlBytes"/>) or too broken to tell. Such a mail's body
    /// may quote someone's message, so a refused one is quarantined with its headers only.
    /// </summary>
    public static async Task<bool> IsMailWithoutReportAsync(string path, DmarcReportLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var head = new byte[SniffBytes];
            var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (!IsEmail(head.AsSpan(0, n)))
            {
                return false;
            }
            if (file.Length > limits.MaxEmlBytes)
            {
                return true;
            }
            file.Position = 0;
            try
            {
                using var message = await MimeMessage.LoadAsync(file, cancellationToken).ConfigureAwait(false);
                return !message.BodyParts.OfType<MimePart>().Any(p => LooksLikeReportPart(p, cancellationToken));
            }
            catch (Exception e) when (e is FormatException or InvalidDataException or NotSupportedException or ArgumentException)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="head"/> (the first bytes of an input; 512 are enough) is an email's, as this parser
    /// decides it for a file: a header field name then ':' or an mbox "From " line, after leading whitespace.
    /// </summary>
    internal static bool IsEmail(ReadOnlySpan<byte> head) => Sniff(head) == Format.Email;

    /// <summary>
    /// True when this parser would take <paramref name="part"/> for a report attachment: a report content type or
    /// file name, or (a non-text part: a text part is a mail's own words, and HTML starts with '&lt;' too) first
    /// bytes that are gzip, zip or XML, as it sniffs an unnamed <c>application/octet-stream</c>. Only the first
    /// bytes of the decoded part are kept.
    /// </summary>
    internal static bool LooksLikeReportPart(MimePart part, CancellationToken ct)
    {
        if (IsReportType(part) || IsReportFileName(part))
        {
            return true;
        }
        if (part.Content is null || part.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        using var head = new HeadStream(SniffBytes);
        part.Content.DecodeTo(head, ct);
        return Sniff(head.Head) is Format.Xml or Format.Gzip or Format.Zip;
    }

    private static bool IsReportFileName(MimePart part) => NameFormat(part) is not null;

    private static async Task<List<MimePart>> SniffPartsAsync(IEnumerable<MimePart> candidates, CancellationToken ct)
    {
        var found = new List<MimePart>();
        foreach (var part in candidates)
        {
            if (part.Content is null)
            {
                continue;
            }
            using var head = new MemoryStream();
            await part.Content.DecodeToAsync(head, ct).ConfigureAwait(false);
            if (Sniff(head.GetBuffer().AsSpan(0, (int)Math.Min(head.Length, SniffBytes))) is Format.Xml or Format.Gzip or Format.Zip)
            {
                found.Add(part);
            }
        }
        return found;
    }

    /// <summary>The email-level quirks of one report attachment, each a warning: the report is read from its bytes all the same.</summary>
    private static void WarnAboutPart(MimePart part, int index, MemoryStream decoded, bool sniffed, DmarcReportWarnings warnings)
    {
        var where = $"attachment {index}";
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var actual = Sniff(decoded.GetBuffer().AsSpan(0, (int)Math.Min(decoded.Length, SniffBytes)));
        if (sniffed)
        {
            warnings.Add(DmarcReportWarningCodes.AttachmentSniffed,
                $"no part has a report content type or file name: {type} '{part.FileName ?? ""}' read as {actual.ToString().ToLowerInvariant()} from its first bytes", where);
            return;
        }
        if (TypeFormat(part) is null)
        {
            warnings.Add(DmarcReportWarningCodes.AttachmentContentType, $"content type {type} names no report format: read by its file name '{part.FileName}'", where);
        }
        if (part.FileName is null)
        {
            warnings.Add(DmarcReportWarningCodes.AttachmentFileName, $"{type} attachment without a file name", where);
        }
        var declared = TypeFormat(part) ?? NameFormat(part);
        if (declared is { } d && d != actual && actual is Format.Xml or Format.Gzip or Format.Zip)
        {
            warnings.Add(DmarcReportWarningCodes.AttachmentTypeMismatch,
                $"declared {d.ToString().ToLowerInvariant()} ({type} '{part.FileName ?? ""}') but the bytes are {actual.ToString().ToLowerInvariant()}: read as {actual.ToString().ToLowerInvariant()}", where);
        }
    }

    private void CheckDepth(string source, int depth)
    {
        if (depth >= Limits.MaxNestingDepth)
        {
            throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                $"archives nested more than {Limits.MaxNestingDepth} deep (limit MaxNestingDepth)");
        }
    }

    private static DmarcReportException Corrupt(string source, InvalidDataException e) =>
        new(DmarcReportErrorKind.CorruptArchive, source, 0, 0, $"corrupt archive: {e.Message}", e);

    /// <summary>Magic bytes: gzip 1F 8B, zip PK 03 04 (or PK 05 06, empty), XML a BOM or '&lt;' after whitespace,
    /// an email a header field name followed by ':'.</summary>
    private static Format Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return Format.Gzip;
        }
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
        {
            return Format.Zip;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
            || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Format.Xml;
        }
        var i = 0;
        while (i < head.Length && head[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }
        if (i < head.Length && head[i] == (byte)'<')
        {
            return Format.Xml;
        }
        // RFC 5322 field name (printable ASCII except ':'), then ':'; or an mbox "From " line.
        var j = i;
        while (j < head.Length && head[j] is > 32 and < 127 and not (byte)':')
        {
            j++;
        }
        if (j > i && j < head.Length && (head[j] == (byte)':' || (head[i..j].SequenceEqual("From"u8) && head[j] == (byte)' ')))
        {
            return Format.Email;
        }
        return Format.Unknown;
    }

    /// <summary>A write-only sink that keeps the first bytes written to it and drops the rest.</summary>
    private sealed class HeadStream(int keep) : Stream
    {
        private readonly byte[] _head = new byte[keep];
        private int _length;

        public ReadOnlySpan<byte> Head => _head.AsSpan(0, _length);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _head.Length - _length);
            buffer[..n].CopyTo(_head.AsSpan(_length));
            _length += n;
        }
    }

    /// <summary>Keeps the caller's stream open when our layers are disposed.</summary>
    private sealed class NonClosingStream(Stream inner) : ReadOnlyStream
    {
        public Stream Inner => inner;

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    }
}
