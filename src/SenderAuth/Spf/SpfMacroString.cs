using System.Text;

namespace SenderAuth.Spf;

/// <summary>
/// A parsed macro-string (RFC 7208 §7.1): literals and <c>%{letter digits r delimiters}</c> expansions.
/// Parsed once with the record, so evaluation never re-scans text and syntax errors surface as permerror
/// before any DNS query.
/// </summary>
public sealed class SpfMacroString
{
    private readonly Part[] _parts;

    private SpfMacroString(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
        Literal = parts.Length switch
        {
            0 => string.Empty,
            1 when parts[0].Letter == '\0' => parts[0].Literal,
            _ => null,
        };
        EndsWithMacro = parts.Length > 0 && parts[^1].Letter != '\0';
    }

    /// <summary>The text as written in the record.</summary>
    public string Text { get; }

    /// <summary>The value when the string holds no macro (the common case): expansion is free.</summary>
    public string? Literal { get; }

    internal bool EndsWithMacro { get; }

    /// <summary>True when a letter only allowed in <c>exp</c> text (c, r, t) is used.</summary>
    internal bool UsesExplanationOnlyLetters => _parts.Any(p => p.Letter is 'c' or 'r' or 't');

    /// <summary>The macro-string as written in the record.</summary>
    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>; <paramref name="offset"/> makes error positions relative to the record.</summary>
    /// <param name="allowSpace">True for explain-strings (exp TXT), where SP is literal.</param>
    internal static SpfMacroString? TryParse(string text, int offset, bool allowSpace, out SpfSyntaxError? error)
    {
        error = null;
        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                if (c is < '!' or > '~' && !(allowSpace && c == ' '))
                {
                    error = new SpfSyntaxError(offset + i, $"character U+{(int)c:X4} is not allowed in a macro-string");
                    return null;
                }
                literal.Append(c);
                continue;
            }
            if (i + 1 >= text.Length)
            {
                error = new SpfSyntaxError(offset + i, "'%' at the end of a macro-string");
                return null;
            }
            var next = text[++i];
            switch (next)
            {
                case '%': literal.Append('%'); continue;
                case '_': literal.Append(' '); continue;
                case '-': literal.Append("%20"); continue;
                case '{': break;
                default:
                    error = new SpfSyntaxError(offset + i - 1, $"'%{next}' is not a macro (use %%, %_, %- or %{{…}})");
                    return null;
            }
            var close = text.IndexOf('}', i);
            if (close < 0)
            {
                error = new SpfSyntaxError(offset + i - 1, "macro '%{' is not closed by '}'");
                return null;
            }
            var macro = ParseMacro(text.AsSpan(i + 1, close - i - 1), offset + i - 1, out error);
            if (macro is null)
            {
                return null;
            }
            if (literal.Length > 0)
            {
                parts.Add(Part.Text(literal.ToString()));
                literal.Clear();
            }
            parts.Add(macro);
            i = close;
        }
        if (literal.Length > 0)
        {
            parts.Add(Part.Text(literal.ToString()));
        }
        return new SpfMacroString(text, [.. parts]);
    }

    private static Part? ParseMacro(ReadOnlySpan<char> body, int position, out SpfSyntaxError? error)
    {
        error = null;
        if (body.Length == 0 || "slodiphcrtvSLODIPHCRTV".IndexOf(body[0]) < 0)
        {
            error = new SpfSyntaxError(position, $"unknown macro letter in '%{{{body}}}'");
            return null;
        }
        var letter = char.ToLowerInvariant(body[0]);
        var escape = char.IsUpper(body[0]);
        var i = 1;
        var digits = 0;
        var hasDigits = false;
        while (i < body.Length && char.IsAsciiDigit(body[i]))
        {
            hasDigits = true;
            digits = Math.Min(digits * 10 + (body[i] - '0'), 1000);
            i++;
        }
        if (hasDigits && digits == 0)
        {
            error = new SpfSyntaxError(position, "macro transformer digits must be non-zero (RFC 7208 §7.3)");
            return null;
        }
        var reverse = false;
        if (i < body.Length && body[i] is 'r' or 'R')
        {
            reverse = true;
            i++;
        }
        var delimiters = body[i..];
        foreach (var d in delimiters)
        {
            if (".-+,/_=".IndexOf(d) < 0)
            {
                error = new SpfSyntaxError(position, $"'{d}' is not a macro delimiter in '%{{{body}}}'");
                return null;
            }
        }
        return new Part(letter, escape, digits, reverse, delimiters.Length == 0 ? "." : delimiters.ToString(), string.Empty);
    }

    /// <summary>
    /// Expands the string; <paramref name="values"/> supplies each letter's value. Null when the result would be
    /// longer than <see cref="SpfLimits.MaxMacroExpansionLength"/>: expansion stops there, so its work is bounded by
    /// the limit plus one value, whatever the record repeats.
    /// </summary>
    /// <exception cref="OperationCanceledException">Checked before each part: the check's time bound holds inside long strings.</exception>
    internal async ValueTask<string?> ExpandAsync(ISpfMacroValues values, CancellationToken cancellationToken)
    {
        if (Literal is not null)
        {
            return Literal.Length > SpfLimits.MaxMacroExpansionLength ? null : Literal;
        }
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string piece;
            if (part.Letter == '\0')
            {
                piece = part.Literal;
            }
            else
            {
                var value = await values.GetAsync(part.Letter, cancellationToken).ConfigureAwait(false);
                value = Transform(value, part);
                piece = part.Escape ? Uri.EscapeDataString(value) : value;
            }
            if (sb.Length + piece.Length > SpfLimits.MaxMacroExpansionLength)
            {
                return null;
            }
            sb.Append(piece);
        }
        return sb.ToString();
    }

    private static string Transform(string value, Part part)
    {
        if (!part.Reverse && part.Digits == 0 && part.Delimiters == ".")
        {
            return value;
        }
        var pieces = value.Split(part.Delimiters.ToCharArray());
        if (part.Reverse)
        {
            Array.Reverse(pieces);
        }
        var take = part.Digits == 0 ? pieces.Length : Math.Min(part.Digits, pieces.Length);
        return string.Join('.', pieces, pieces.Length - take, take);
    }

    private sealed record Part(char Letter, bool Escape, int Digits, bool Reverse, string Delimiters, string Literal)
    {
        public static Part Text(string literal) => new('\0', false, 0, false, ".", literal);
    }
}

/// <summary>Supplies macro letter values (RFC 7208 §7.2) during expansion.</summary>
internal interface ISpfMacroValues
{
    ValueTask<string> GetAsync(char letter, CancellationToken cancellationToken);
}
