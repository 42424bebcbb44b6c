namespace SenderAuth.Mail;

/// <summary>Limits on what <see cref="MailMessage.Parse"/> accepts; defaults suit any real mail.</summary>
public sealed record MessageLimits
{
    /// <summary>Largest header section in bytes; default 1 MiB (real ones are under 64 KiB).</summary>
    public int MaxHeaderBytes { get; init; } = 1024 * 1024;

    /// <summary>Most header fields; default 1000.</summary>
    public int MaxHeaderFields { get; init; } = 1000;

    /// <summary>The defaults: 1 MiB of header, 1000 fields.</summary>
    public static readonly MessageLimits Default = new();
}

/// <summary>A message that cannot be read, with the byte offset where reading stopped.</summary>
public sealed class MessageFormatException(string message, long offset) : FormatException($"{message} (at byte {offset})")
{
    /// <summary>Byte offset in the message where reading stopped.</summary>
    public long Offset { get; } = offset;
}

/// <summary>
/// An RFC 5322 message split into header fields and body, over the caller's bytes (nothing is copied).
/// Lines may end in CRLF or bare LF; both are read as CRLF, as the message is on the wire.
/// </summary>
/// <remarks>
/// Written by hand rather than with MimeKit: DKIM needs the exact bytes of every field, the smuggling rules
/// below, and no allocation of a MIME tree on the signing hot path.
/// </remarks>
public sealed class MailMessage
{
    private MailMessage(ReadOnlyMemory<byte> raw, IReadOnlyList<MessageHeaderField> headers, int bodyOffset, bool bareLf,
        IReadOnlyList<HeaderAmbiguity> ambiguities)
    {
        Ambiguities = ambiguities;
        Raw = raw;
        Headers = headers;
        BodyOffset = bodyOffset;
        UsesBareLf = bareLf;
    }

    /// <summary>The whole message as given; fields and body are slices of it.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Every header field in order, including lines without a colon (see <see cref="MessageHeaderField.HasColon"/>).</summary>
    public IReadOnlyList<MessageHeaderField> Headers { get; }

    /// <summary>Offset of the first body byte (after the empty line), or the length when there is no body.</summary>
    public int BodyOffset { get; }

    /// <summary>The body bytes, exactly as received (line ends untouched); empty when there is none.</summary>
    public ReadOnlyMemory<byte> Body => Raw[BodyOffset..];

    /// <summary>True when the header section ends its lines with LF alone (a file from disk, not the wire).</summary>
    public bool UsesBareLf { get; }

    /// <summary>The fields named <paramref name="name"/> (ASCII case-insensitive), in order; smuggled ones included.</summary>
    public IEnumerable<MessageHeaderField> All(string name) => Headers.Where(h => h.Is(name));

    /// <summary>
    /// Every header line that parsers read differently (<see cref="HeaderAmbiguity"/>), in order; empty for a clean
    /// message. One rule decides it for the signer, the verifier, DMARC and the milter: see docs/security.md.
    /// </summary>
    public IReadOnlyList<HeaderAmbiguity> Ambiguities { get; }

    /// <summary>The first ambiguity that touches a field named in <paramref name="names"/> (case-insensitive); null when none does.</summary>
    public HeaderAmbiguity? AmbiguityTouching(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (Ambiguities.Count == 0)
        {
            return null;
        }
        foreach (var a in Ambiguities)
        {
            foreach (var name in names)
            {
                if (a.Touches(name))
                {
                    return a;
                }
            }
        }
        return null;
    }

    /// <summary>Splits <paramref name="raw"/> into header fields and body without copying it.</summary>
    /// <exception cref="MessageFormatException">A limit of <paramref name="limits"/> is exceeded or the header section is unreadable.</exception>
    public static MailMessage Parse(ReadOnlyMemory<byte> raw, MessageLimits? limits = null)
    {
        limits ??= MessageLimits.Default;
        var span = raw.Span;
        var headers = new List<MessageHeaderField>();
        var pos = 0;
        var fieldStart = -1;
        var bareLf = false;
        var bodyOffset = span.Length;
        var line = 0;
        var fieldLine = 0;
        List<HeaderAmbiguity>? ambiguities = null;
        string? follows = null;
        while (pos < span.Length)
        {
            line++;
            if (pos > limits.MaxHeaderBytes)
            {
                throw new MessageFormatException($"header section larger than {limits.MaxHeaderBytes} bytes", pos);
            }
            var lf = span[pos..].IndexOf((byte)'\n');
            var next = lf < 0 ? span.Length : pos + lf + 1;
            var contentEnd = lf < 0 ? span.Length : pos + lf;
            if (lf >= 0 && (contentEnd == pos || span[contentEnd - 1] != '\r'))
            {
                bareLf = true;
            }
            if (contentEnd > pos && span[contentEnd - 1] == '\r')
            {
                contentEnd--;
            }
            if (contentEnd == pos)
            {
                bodyOffset = next;
                break;
            }
            if (span[pos] is (byte)' ' or (byte)'\t' && fieldStart >= 0)
            {
                pos = next;
                continue;
            }
            if (fieldStart >= 0)
            {
                headers.Add(MakeField(raw, fieldStart, pos, fieldLine, headers.Count == 0, ref follows, ref ambiguities));
                if (headers.Count >= limits.MaxHeaderFields)
                {
                    throw new MessageFormatException($"more than {limits.MaxHeaderFields} header fields", pos);
                }
            }
            fieldStart = pos;
            fieldLine = line;
            pos = next;
        }
        if (fieldStart >= 0)
        {
            headers.Add(MakeField(raw, fieldStart, pos, fieldLine, headers.Count == 0, ref follows, ref ambiguities));
        }
        return new MailMessage(raw, headers, bodyOffset, bareLf, (IReadOnlyList<HeaderAmbiguity>?)ambiguities ?? []);
    }

    private static MessageHeaderField MakeField(ReadOnlyMemory<byte> raw, int start, int end, int line, bool first,
        ref string? follows, ref List<HeaderAmbiguity>? ambiguities)
    {
        var field = MakeField(raw, start, end);
        var span = raw.Span[start..end];
        var bad = HeaderLineRule.Check(span, first);
        // A line that is no field is folded into the one above by strict readers: its CRs come after that field.
        var owner = bad is null ? field.Name : follows;
        if (bad is { } b)
        {
            (ambiguities ??= []).Add(new HeaderAmbiguity(b.Reason, start, line, follows, HeaderLineRule.LenientName(span), b.Character));
        }
        // Every CR without LF, in the name or the value: a reader that ends the line there reads what follows as a
        // new field. A leading CR is already the line's own ambiguity (leading-control-character).
        // Each piece is read up to the next bare CR only, and lines are counted as we go, so this stays linear.
        var cr = HeaderLineRule.NextBareCr(span, span[0] == '\r' ? 1 : 0);
        var counted = 0;
        var lines = line;
        while (cr >= 0)
        {
            var next = HeaderLineRule.NextBareCr(span, cr + 1);
            lines += System.MemoryExtensions.Count(span[counted..cr], (byte)'\n');
            counted = cr;
            var piece = span[(cr + 1)..(next < 0 ? span.Length : next)];
            (ambiguities ??= []).Add(new HeaderAmbiguity(HeaderAmbiguityReason.BareCarriageReturn, start + cr, lines, owner,
                HeaderLineRule.LenientName(piece), "U+000D"));
            cr = next;
        }
        if (bad is null)
        {
            follows = field.Name;
        }
        return field;
    }

    private static MessageHeaderField MakeField(ReadOnlyMemory<byte> raw, int start, int end)
    {
        var span = raw.Span[start..end];
        var skip = SmuggledPrefixLength(span);
        var colon = span.IndexOf((byte)':');
        var nameSpan = colon < 0 ? span[skip..] : span[skip..colon];
        var name = HeaderNames.Get(nameSpan.TrimEnd(" \t\r\n"u8));
        return new MessageHeaderField(name, raw[start..end], start, skip > 0, colon >= 0);
    }

    /// <summary>Bytes at the start of a line that hide a field from some parsers but not from others.</summary>
    private static int SmuggledPrefixLength(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] is 0x0B or 0x0C or 0xA0 || (line[i] == '\r' && (i + 1 >= line.Length || line[i + 1] != '\n')))
            {
                i++;
            }
            else if (line[i..].StartsWith("\u00A0"u8))
            {
                i += 2;
            }
            else if (line[i..].StartsWith("\u2028"u8))
            {
                i += 3;
            }
            else
            {
                break;
            }
        }
        return i;
    }
}
