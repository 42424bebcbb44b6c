using System.Globalization;
using System.Text;

namespace SenderAuth.Mail;

/// <summary>Why a header line makes a message ambiguous; written as kebab-case codes by <see cref="HeaderAmbiguityCodes.Code"/>.</summary>
public enum HeaderAmbiguityReason
{
    /// <summary>A line in the header section that is not a continuation and has no colon: not a field at all.</summary>
    LineWithoutColon,
    /// <summary>A field name that is empty or holds a byte outside RFC 5322 ftext (printable ASCII but ':').</summary>
    InvalidFieldName,
    /// <summary>The line begins with a control character (VT, FF, lone CR, NUL, DEL, C1…): some parsers fold it, some skip it.</summary>
    LeadingControlCharacter,
    /// <summary>The line begins with NBSP (Latin-1 0xA0 or UTF-8), U+2028/U+2029 or another Unicode space some parsers fold.</summary>
    LeadingUnicodeSpace,
    /// <summary>The first line of the header section begins with SP or HTAB: a continuation with no field to continue.</summary>
    LeadingWhitespace,
    /// <summary>A CR not followed by LF inside a field: some parsers end the line there and read what follows as a new field.</summary>
    BareCarriageReturn,
}

/// <summary>The one mapping of <see cref="HeaderAmbiguityReason"/> to the codes written in JSON and Authentication-Results comments.</summary>
public static class HeaderAmbiguityCodes
{
    /// <summary>The stable kebab-case code (<c>line-without-colon</c>, <c>leading-control-character</c>…).</summary>
    public static string Code(this HeaderAmbiguityReason reason) => reason switch
    {
        HeaderAmbiguityReason.LineWithoutColon => "line-without-colon",
        HeaderAmbiguityReason.InvalidFieldName => "invalid-field-name",
        HeaderAmbiguityReason.LeadingControlCharacter => "leading-control-character",
        HeaderAmbiguityReason.LeadingUnicodeSpace => "leading-unicode-space",
        HeaderAmbiguityReason.LeadingWhitespace => "leading-whitespace",
        HeaderAmbiguityReason.BareCarriageReturn => "bare-carriage-return",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

/// <summary>
/// One header line that parsers read differently, so the message means different things to different readers.
/// </summary>
/// <param name="Reason">What is wrong with the line.</param>
/// <param name="Offset">Byte offset of the line in the message.</param>
/// <param name="Line">1-based line number in the header section.</param>
/// <param name="Follows">The field the line comes after (a parser that folds the line reads it as part of that field); null at the top.</param>
/// <param name="ReadAs">The field name a lenient parser reads (leading and trailing spaces and controls dropped), when the line has a colon; else null.</param>
/// <param name="Character">The offending character as <c>U+XXXX</c> (a byte that is not UTF-8 as <c>0xXX</c>); null when the reason is not one character.</param>
/// <remarks>
/// Security: this is the "Composition Kills" (Chen et al., USENIX Security 2020) class of attack. A signer signs, and
/// a verifier checks, one reading of the header; a mail client shows another. Whatever the line touches (the field
/// it follows, the field it may be read as) cannot be trusted, so signatures over those fields do not pass and DMARC
/// does not pass when From is touched.
/// </remarks>
public sealed record HeaderAmbiguity(HeaderAmbiguityReason Reason, int Offset, int Line, string? Follows, string? ReadAs, string? Character)
{
    /// <summary>True when a reader could see this line as part of, or as, a field named <paramref name="name"/>.</summary>
    public bool Touches(string name) =>
        string.Equals(Follows, name, StringComparison.OrdinalIgnoreCase) || string.Equals(ReadAs, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>One sentence: <c>line 4 (after From) begins with U+000B (leading-control-character)</c>.</summary>
    public string Describe()
    {
        var where = Follows is null ? $"line {Line}" : $"line {Line} (after {Follows})";
        var what = Reason switch
        {
            HeaderAmbiguityReason.LineWithoutColon => "is not a field (no colon)",
            HeaderAmbiguityReason.InvalidFieldName => $"has an invalid field name{(Character is null ? string.Empty : $" (holds {Character})")}",
            HeaderAmbiguityReason.LeadingControlCharacter or HeaderAmbiguityReason.LeadingUnicodeSpace => $"begins with {Character}",
            HeaderAmbiguityReason.LeadingWhitespace => "begins with whitespace but continues no field",
            HeaderAmbiguityReason.BareCarriageReturn => "holds a CR without LF",
            _ => Reason.Code(),
        };
        var readAs = ReadAs is null ? string.Empty : $", which some readers take for {ReadAs}";
        return $"{where} {what}{readAs} ({Reason.Code()})";
    }
}

/// <summary>
/// THE rule for ambiguous header lines, used by <see cref="MailMessage.Parse"/> and through it by the signer, the
/// verifier, DMARC and the milter. A line that starts a field must start with a field name made of RFC 5322 ftext
/// (printable ASCII but ':'), optionally WSP (obsolete syntax, RFC 5322 §4.5), then ':'. Anything else (no colon, a
/// name with other bytes, a leading control character or Unicode space, a lone CR inside a field) is read differently
/// by different parsers: some fold it into the field above, some skip the odd bytes and see a new field, some end
/// the header there.
/// </summary>
internal static class HeaderLineRule
{
    /// <summary>
    /// The ambiguity of how the field begins (its name), or null when it begins as a field should. A CR without LF
    /// anywhere in the field is not reported here but by <see cref="NextBareCr"/>, one per CR: each may start a field
    /// of its own for some reader.
    /// </summary>
    /// <param name="field">The field's bytes, first line first.</param>
    /// <param name="first">True for the first line of the header section.</param>
    public static (HeaderAmbiguityReason Reason, int At, string? Character)? Check(ReadOnlySpan<byte> field, bool first)
    {
        var firstByte = field[0];
        if (firstByte is > 32 and < 127 and not (byte)':')
        {
            // The hot path: a name of ftext, optional WSP, a colon.
            var i = 1;
            while (i < field.Length && field[i] is > 32 and < 127 and not (byte)':')
            {
                i++;
            }
            var nameEnd = i;
            while (i < field.Length && field[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }
            if (i < field.Length && field[i] == ':')
            {
                return null;
            }
            if (i >= field.Length || field[i] is (byte)'\r' or (byte)'\n')
            {
                return (HeaderAmbiguityReason.LineWithoutColon, 0, null);
            }
            return field[..LineEnd(field)].IndexOf((byte)':') < 0
                ? (HeaderAmbiguityReason.LineWithoutColon, 0, null)
                : (HeaderAmbiguityReason.InvalidFieldName, nameEnd, CharacterAt(field, nameEnd));
        }
        if (firstByte is (byte)' ' or (byte)'\t' && first)
        {
            return (HeaderAmbiguityReason.LeadingWhitespace, 0, null);
        }
        if (firstByte == ':')
        {
            return (HeaderAmbiguityReason.InvalidFieldName, 0, null);
        }
        return (LeadingKind(field), 0, CharacterAt(field, 0));
    }

    /// <summary>
    /// The offset of the first CR not followed by LF at or after <paramref name="from"/>, name included; -1 when none.
    /// Every such CR counts, not just the first: "X: a\rY: b\rFrom: evil" hides its From behind the second one.
    /// </summary>
    public static int NextBareCr(ReadOnlySpan<byte> field, int from)
    {
        for (var cr = from; cr < field.Length; cr++)
        {
            var next = field[cr..].IndexOf((byte)'\r');
            if (next < 0)
            {
                return -1;
            }
            cr += next;
            if (cr + 1 >= field.Length || field[cr + 1] != '\n')
            {
                return cr;
            }
        }
        return -1;
    }

    private static int LineEnd(ReadOnlySpan<byte> field)
    {
        var lf = field.IndexOf((byte)'\n');
        return lf < 0 ? field.Length : lf;
    }

    private static HeaderAmbiguityReason LeadingKind(ReadOnlySpan<byte> field)
    {
        var rune = RuneAt(field, 0, out var utf8);
        if (utf8)
        {
            return Rune.IsControl(rune) ? HeaderAmbiguityReason.LeadingControlCharacter
                : IsUnicodeSpace(rune) ? HeaderAmbiguityReason.LeadingUnicodeSpace
                : HeaderAmbiguityReason.InvalidFieldName;
        }
        // Not UTF-8: a Latin-1 byte. 0xA0 is NBSP, 0x80-0x9F the C1 controls (0x85 NEL among them).
        var b = field[0];
        return b < 32 || b == 127 || b is >= 0x80 and < 0xA0 ? HeaderAmbiguityReason.LeadingControlCharacter
            : b == 0xA0 ? HeaderAmbiguityReason.LeadingUnicodeSpace
            : HeaderAmbiguityReason.InvalidFieldName;
    }

    /// <summary>Spaces and separators that some parser folds or trims: Zs, Zl, Zp, and the zero-width and BOM characters.</summary>
    private static bool IsUnicodeSpace(Rune rune) =>
        Rune.IsWhiteSpace(rune)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        || rune.Value is 0x200B or 0x200C or 0x200D or 0x2060 or 0xFEFF;

    private static bool IsTrimmed(Rune rune) => Rune.IsControl(rune) || IsUnicodeSpace(rune);

    /// <summary>The rune at <paramref name="at"/>: decoded as UTF-8 when it is (<paramref name="utf8"/> true), else the byte as Latin-1.</summary>
    private static Rune RuneAt(ReadOnlySpan<byte> bytes, int at, out bool utf8)
    {
        if (Rune.DecodeFromUtf8(bytes[at..], out var rune, out _) == System.Buffers.OperationStatus.Done)
        {
            utf8 = true;
            return rune;
        }
        utf8 = false;
        return new Rune(bytes[at]);
    }

    private static string CharacterAt(ReadOnlySpan<byte> field, int at)
    {
        var rune = RuneAt(field, at, out var utf8);
        return utf8 || field[at] < 0x80 ? $"U+{rune.Value:X4}" : $"0x{field[at]:X2}";
    }

    /// <summary>
    /// The field name a lenient parser reads from the line (JavaScript's <c>trim()</c>, for one, drops VT, FF, NBSP and
    /// U+2028): what precedes the first colon of the first line, after its last bare CR, with spaces and controls
    /// trimmed at both ends; null without a colon or when nothing is left.
    /// </summary>
    public static string? LenientName(ReadOnlySpan<byte> field)
    {
        var line = field[..LineEnd(field)];
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return null;
        }
        var name = line[..colon];
        // A reader that ends the line at a bare CR sees only the name after the last one ("X-Junk\rFrom" is From).
        var lastCr = name.LastIndexOf((byte)'\r');
        name = lastCr < 0 ? name : name[(lastCr + 1)..];
        // Latin-1 when not UTF-8, so a lone 0xA0 is NBSP, as the readers that honour it take it.
        var text = System.Text.Unicode.Utf8.IsValid(name) ? Encoding.UTF8.GetString(name) : Encoding.Latin1.GetString(name);
        var start = 0;
        var end = text.Length;
        while (start < end && Rune.DecodeFromUtf16(text.AsSpan(start, end - start), out var r, out var n) == System.Buffers.OperationStatus.Done && IsTrimmed(r))
        {
            start += n;
        }
        while (end > start && Rune.DecodeLastFromUtf16(text.AsSpan(start, end - start), out var r, out var n) == System.Buffers.OperationStatus.Done && IsTrimmed(r))
        {
            end -= n;
        }
        return end > start ? text[start..end] : null;
    }
}
