using System.Text;

namespace SenderAuth.Dns;

/// <summary>A word or quoted string of a master file; <see cref="Bytes"/> has the escapes resolved.</summary>
internal readonly record struct ZoneToken(string Text, byte[] Bytes, bool Quoted, int Line, int Column);

/// <summary>One logical entry: a line, or several joined by parentheses. <see cref="BlankOwner"/> is set
/// when the entry starts with white space, which RFC 1035 §5.1 reads as "same owner as before".</summary>
internal sealed record ZoneEntry(List<ZoneToken> Tokens, bool BlankOwner);

/// <summary>Splits master-file text into entries (RFC 1035 §5.1: comments, parentheses, quoting, escapes).
/// Linear: every character is looked at once; a line or an entry longer than <see cref="ZoneFileLimits"/> allows
/// is refused where it crosses the limit, before it is buffered further.</summary>
internal sealed class ZoneFileTokenizer(string text, string? fileName)
{
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _entryStart = -1;

    private int Column => _pos - _lineStart + 1;

    public IEnumerable<ZoneEntry> ReadEntries()
    {
        var tokens = new List<ZoneToken>();
        var blankOwner = false;
        var depth = 0;
        (int Line, int Column) openParen = default;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (_pos == _lineStart && depth == 0)
            {
                blankOwner = c is ' ' or '\t';
                _entryStart = _pos;
            }
            switch (c)
            {
                case '\n':
                    if (depth == 0 && tokens.Count > 0)
                    {
                        yield return new ZoneEntry(tokens, blankOwner);
                        tokens = [];
                    }
                    CheckLength();
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                    break;
                case ' ' or '\t' or '\r':
                    _pos++;
                    break;
                case ';':
                    while (_pos < text.Length && text[_pos] != '\n')
                    {
                        _pos++;
                    }
                    CheckLength();
                    break;
                case '(':
                    if (depth++ == 0)
                    {
                        openParen = (_line, Column);
                    }
                    _pos++;
                    break;
                case ')':
                    if (depth-- == 0)
                    {
                        throw Error(_line, Column, "')' without matching '('");
                    }
                    _pos++;
                    break;
                default:
                    tokens.Add(c == '"' ? ReadQuoted() : ReadWord());
                    break;
            }
        }
        if (depth > 0)
        {
            throw Error(openParen.Line, openParen.Column, "'(' not closed before end of file");
        }
        if (tokens.Count > 0)
        {
            yield return new ZoneEntry(tokens, blankOwner);
        }
    }

    /// <summary>Refuses the current line or entry once it is longer than the limits allow.</summary>
    private void CheckLength()
    {
        if (_pos - _lineStart > ZoneFileLimits.MaxLineLength)
        {
            throw Error(_line, 1, $"line longer than {ZoneFileLimits.MaxLineLength} characters");
        }
        if (_entryStart >= 0 && _pos - _entryStart > ZoneFileLimits.MaxEntryLength)
        {
            throw Error(_line, Column, $"record longer than {ZoneFileLimits.MaxEntryLength} characters");
        }
    }

    private ZoneToken ReadQuoted()
    {
        var (line, column, start) = (_line, Column, ++_pos);
        var bytes = new List<byte>();
        while (true)
        {
            // Quoted strings stay on one line, as in BIND: a missing quote otherwise swallows the rest of the file.
            if (_pos >= text.Length || text[_pos] == '\n')
            {
                throw Error(line, column, "quoted string not terminated");
            }
            if (text[_pos] == '"')
            {
                _pos++;
                return new ZoneToken(text[start..(_pos - 1)], [.. bytes], true, line, column);
            }
            ReadChar(bytes);
        }
    }

    private ZoneToken ReadWord()
    {
        var (line, column, start) = (_line, Column, _pos);
        var bytes = new List<byte>();
        while (_pos < text.Length && text[_pos] is not (' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"'))
        {
            ReadChar(bytes);
        }
        return new ZoneToken(text[start.._pos], [.. bytes], false, line, column);
    }

    /// <summary>Appends one source character, or one escape, as bytes (non-ASCII text as UTF-8).</summary>
    private void ReadChar(List<byte> bytes)
    {
        CheckLength();
        if (text[_pos] == '\\')
        {
            var column = Column;
            _pos++;
            if (_pos >= text.Length || text[_pos] is '\n' or '\r')
            {
                throw Error(_line, column, "'\\' at end of line");
            }
            if (char.IsAsciiDigit(text[_pos]))
            {
                if (_pos + 3 > text.Length || text.AsSpan(_pos, 3).ContainsAnyExceptInRange('0', '9')
                    || !byte.TryParse(text.AsSpan(_pos, 3), out var b))
                {
                    throw Error(_line, column, "\\DDD escape must be three decimal digits, at most 255");
                }
                bytes.Add(b);
                _pos += 3;
                return;
            }
        }
        Rune.DecodeFromUtf16(text.AsSpan(_pos), out var rune, out var consumed);
        Span<byte> utf8 = stackalloc byte[4];
        bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
        _pos += consumed;
    }

    private ZoneFileException Error(int line, int column, string reason) => new(fileName, line, column, reason);
}


/// <summary>Walks the tokens of one entry, reporting missing and surplus fields at their position.</summary>
internal sealed class TokenCursor(List<ZoneToken> tokens, string? fileName)
{
    private int _index;

    public ZoneToken? Peek => _index < tokens.Count ? tokens[_index] : null;

    public ZoneToken Next(string what)
    {
        if (_index < tokens.Count)
        {
            return tokens[_index++];
        }
        // Point just past the last token, where the missing field belongs.
        var last = tokens[^1];
        throw new ZoneFileException(fileName, last.Line, last.Column + last.Text.Length + (last.Quoted ? 3 : 1), $"missing {what}");
    }

    public void End()
    {
        if (_index < tokens.Count)
        {
            throw Error(tokens[_index], $"unexpected '{tokens[_index].Text}'");
        }
    }

    public void SkipRest() => _index = tokens.Count;

    public ZoneFileException Error(ZoneToken token, string reason) => new(fileName, token.Line, token.Column, reason);
}
