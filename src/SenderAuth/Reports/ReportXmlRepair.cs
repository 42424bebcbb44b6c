namespace SenderAuth.Reports;

/// <summary>
/// The lenient pre-pass: turns what sloppy reporters write into well-formed XML, one warning per repair, before
/// the strict <see cref="System.Xml.XmlReader"/> (DTDs prohibited, no resolver) reads it. What it repairs is only
/// what has one reading: a <c>&lt;</c> that cannot start markup (<c>&lt;bad@example.com&gt;</c>), a <c>&amp;</c> that
/// starts no predefined entity or character reference, bytes that are not UTF-8, characters XML forbids, a stray
/// byte-order mark or whitespace before the declaration, and bytes after the root element.
/// </summary>
/// <remarks>
/// <para>Written by hand: no XML library repairs text (they refuse it, which is the point), and HTML parsers that do
/// (AngleSharp, HtmlAgilityPack) build a whole tree in memory and apply HTML rules to names and entities.</para>
/// <para>Security: an entity or character reference is passed on only in its predefined or numeric form, so nothing
/// is ever expanded that the strict reader would not expand; <c>&lt;!DOCTYPE</c> (any <c>&lt;!</c> that is not a
/// comment or CDATA) switches the pass off, so the reader sees it as written and refuses it. Bytes after the root
/// are dropped unread, never parsed. Every byte in still comes through the caller's <see cref="LimitedStream"/>,
/// so no size or ratio limit changes, and field lengths are still checked by the reader.</para>
/// <para>Linear: every byte is looked at by the state machine once, plus at most once by a look-ahead: a look-ahead
/// after <c>&lt;</c> scans only name characters (never a <c>&lt;</c>), at most <see cref="Window"/> of them, so no two
/// look-aheads overlap; one after <c>&amp;</c> scans at most 12 bytes. Memory is two fixed buffers.</para>
/// <para>Only ASCII-compatible documents are repaired: a UTF-16 or UTF-32 document (a byte-order mark or NUL
/// bytes at the start) is passed through as it is; a declared single-byte encoding is passed on without the
/// UTF-8 check. Positions in warnings are byte offsets in the XML as received.</para>
/// </remarks>
internal sealed class ReportXmlRepair(Stream inner, DmarcReportWarnings warnings) : ReadOnlyStream
{
    /// <summary>Longest element name treated as markup after <c>&lt;</c>; longer ones are left for the reader to judge.</summary>
    private const int Window = 128;

    private enum State { Start, Text, Tag, Comment, CData, Pi, Trailing, Raw }

    private readonly byte[] _in = new byte[64 * 1024];
    private readonly byte[] _out = new byte[64 * 1024];
    private int _inPos, _inLen, _outPos, _outLen;
    private long _inBase;
    private bool _eof, _finished;
    private State _state = State.Start;
    private int _depth;
    private bool _endTag, _utf8 = true;
    private byte _quote, _lastInTag;
    private int _run; // '-' run in a comment, ']' run in CDATA, '?' seen in a PI
    private long _lastBadUtf8 = -2, _lastBadChar = -2, _trailingFirst = -1, _trailingBytes;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_outPos == _outLen)
        {
            if (_finished || !Fill())
            {
                return 0;
            }
        }
        var n = Math.Min(buffer.Length, _outLen - _outPos);
        _out.AsSpan(_outPos, n).CopyTo(buffer);
        _outPos += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Refills the output buffer; false once the input is exhausted and nothing was produced.</summary>
    private bool Fill()
    {
        _outPos = _outLen = 0;
        // Each step writes at most 9 bytes (<![CDATA[), so 16 spare bytes always suffice.
        while (_outLen < _out.Length - 16)
        {
            if (!Ensure(1))
            {
                Finish();
                return _outLen > 0;
            }
            Step();
        }
        return true;
    }

    private void Finish()
    {
        _finished = true;
        if (_trailingBytes > 0)
        {
            warnings.AddAt(DmarcReportWarningCodes.TrailingBytesAfterRoot, $"{_trailingBytes:N0} bytes after the root element dropped unread", _trailingFirst);
        }
    }

    /// <summary>At least <paramref name="n"/> bytes from the current position, unless the input ends first.</summary>
    private bool Ensure(int n)
    {
        if (_inLen - _inPos >= n)
        {
            return true;
        }
        if (_inPos > 0)
        {
            Buffer.BlockCopy(_in, _inPos, _in, 0, _inLen - _inPos);
            Steps += _inLen - _inPos;
            _inBase += _inPos;
            _inLen -= _inPos;
            _inPos = 0;
        }
        while (!_eof && _inLen < n)
        {
            var r = inner.Read(_in, _inLen, _in.Length - _inLen);
            if (r <= 0)
            {
                _eof = true;
                break;
            }
            _inLen += r;
        }
        return _inLen - _inPos >= n;
    }

    private ReadOnlySpan<byte> Ahead => _in.AsSpan(_inPos, _inLen - _inPos);

    /// <summary>
    /// The work done so far: one per step, plus every byte looked at ahead (a name or a reference) and every byte
    /// moved to refill the input buffer. Linear in the input is the contract (docs/security.md); the tests count
    /// this instead of timing a shared machine.
    /// </summary>
    internal long Steps { get; private set; }

    private long Offset => _inBase + _inPos;

    private void Emit(byte b) => _out[_outLen++] = b;

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_out.AsSpan(_outLen));
        _outLen += bytes.Length;
    }

    private void Copy(int n)
    {
        Emit(_in.AsSpan(_inPos, n));
        _inPos += n;
    }

    private void Step()
    {
        Steps++;
        switch (_state)
        {
            case State.Start:
                Start();
                return;
            case State.Raw:
                var n = Math.Min(_inLen - _inPos, _out.Length - _outLen);
                Copy(n);
                return;
            case State.Trailing:
                Trailing();
                return;
        }
        var b = _in[_inPos];
        if (b >= 0x80 && _utf8)
        {
            Utf8();
            return;
        }
        if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
        {
            Replace(ref _lastBadChar, DmarcReportWarningCodes.InvalidXmlCharacter, "a control character, which XML forbids, replaced by U+FFFD");
            return;
        }
        switch (_state)
        {
            case State.Text:
                if (b == '<') { Lt(); }
                else if (b == '&') { Amp(); }
                else { Copy(1); }
                return;
            case State.Tag:
                Tag(b);
                return;
            case State.Comment:
                // Ends at "-->".
                _run = b == '>' && _run >= 2 ? -1 : b == '-' ? _run + 1 : 0;
                Copy(1);
                if (_run < 0) { _state = State.Text; _run = 0; }
                return;
            case State.CData:
                _run = b == '>' && _run >= 2 ? -1 : b == ']' ? _run + 1 : 0;
                Copy(1);
                if (_run < 0) { _state = State.Text; _run = 0; }
                return;
            case State.Pi:
                _run = b == '>' && _run == 1 ? -1 : b == '?' ? 1 : 0;
                Copy(1);
                if (_run < 0) { _state = State.Text; _run = 0; }
                return;
        }
    }

    private void Start()
    {
        Ensure(256);
        var head = Ahead;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || (head.Length >= 2 && (head[0] == 0 || head[1] == 0)))
        {
            _state = State.Raw; // UTF-16/32: the reader decodes it; no byte-level repair applies
            return;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            Copy(3); // one BOM at the very start is legal XML
        }
        var whitespace = false;
        while (Ensure(3))
        {
            var h = Ahead;
            if (h[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                whitespace = true;
                _inPos++;
            }
            else if (h.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                warnings.AddAt(DmarcReportWarningCodes.ByteOrderMark, "byte-order mark before the document dropped", Offset);
                _inPos += 3;
            }
            else
            {
                break;
            }
        }
        Ensure(256);
        var decl = Ahead;
        if (decl.StartsWith("<?xml"u8) && decl.Length > 5 && decl[5] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            if (whitespace)
            {
                warnings.AddAt(DmarcReportWarningCodes.LeadingWhitespace, "whitespace before the XML declaration dropped", Offset);
            }
            var end = decl.IndexOf("?>"u8);
            // XML 1.0 §2.8: a declaration is ASCII only. .NET's XmlReader, switching encoding on a declaration that
            // holds other bytes, throws an undocumented ArgumentOutOfRangeException (found by the fuzzer): refuse it
            // here as the malformed XML it is. Not a quirk to recover: the encoding it declares cannot be trusted.
            var nonAscii = (end > 0 ? decl[..end] : decl[..Math.Min(decl.Length, 256)]).IndexOfAnyExceptInRange((byte)0x00, (byte)0x7F);
            if (nonAscii >= 0)
            {
                throw new System.Xml.XmlException(
                    $"the XML declaration holds the byte 0x{decl[nonAscii]:X2} at byte {Offset + nonAscii}; a declaration is ASCII only (XML 1.0 §2.8)");
            }
            var text = System.Text.Encoding.ASCII.GetString(end > 0 ? decl[..end] : decl).ToLowerInvariant();
            var at = text.IndexOf("encoding", StringComparison.Ordinal);
            if (at > 0)
            {
                var value = text[(at + 8)..].TrimStart(' ', '=', '"', '\'');
                var name = new string([.. value.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
                _utf8 = name is "utf-8" or "utf8" or "us-ascii" or "ascii" or "";
                if (name.StartsWith("utf-16", StringComparison.Ordinal) || name.StartsWith("utf-32", StringComparison.Ordinal))
                {
                    _state = State.Raw;
                    return;
                }
            }
        }
        _state = State.Text;
    }

    /// <summary>A '&lt;' in text: markup when it starts a comment, CDATA, PI, declaration or a tag with a well-formed name; else text.</summary>
    private void Lt()
    {
        Ensure(Window + 4);
        var s = Ahead;
        if (s.StartsWith("<!--"u8))
        {
            Copy(4);
            _state = State.Comment;
            _run = 0;
            return;
        }
        if (s.StartsWith("<![CDATA["u8))
        {
            Copy(9);
            _state = State.CData;
            _run = 0;
            return;
        }
        if (s.Length >= 2 && s[1] == '!')
        {
            _state = State.Raw; // DOCTYPE and the like: passed on untouched, the strict reader refuses it
            return;
        }
        if (s.Length >= 2 && s[1] == '?')
        {
            Copy(2);
            _state = State.Pi;
            _run = 0;
            return;
        }
        var end = s.Length >= 2 && s[1] == '/';
        var i = end ? 2 : 1;
        var markup = false;
        if (i < s.Length && IsNameStart(s[i]))
        {
            var j = i + 1;
            while (j < s.Length && j - i <= Window && IsNameChar(s[j]))
            {
                j++;
            }
            Steps += j - i;
            // A name longer than the window, or cut by the end of input, is left for the strict reader.
            markup = j == s.Length || j - i > Window || IsSpace(s[j]) || s[j] == '>' || (!end && s[j] == '/');
        }
        if (markup)
        {
            Copy(i);
            _state = State.Tag;
            _endTag = end;
            _quote = 0;
            _lastInTag = 0;
            return;
        }
        warnings.AddAt(DmarcReportWarningCodes.UnescapedLt, "'<' that starts no markup read as text", Offset);
        Emit("&lt;"u8);
        _inPos++;
    }

    private void Tag(byte b)
    {
        if (_quote != 0)
        {
            if (b == _quote) { _quote = 0; Copy(1); }
            else if (b == '<')
            {
                warnings.AddAt(DmarcReportWarningCodes.UnescapedLt, "'<' in an attribute value read as text", Offset);
                Emit("&lt;"u8);
                _inPos++;
            }
            else if (b == '&') { Amp(); }
            else { Copy(1); }
            return;
        }
        if (b is (byte)'"' or (byte)'\'')
        {
            _quote = b;
        }
        Copy(1);
        if (b == '>')
        {
            if (_endTag)
            {
                _depth = Math.Max(0, _depth - 1);
            }
            else if (_lastInTag != '/')
            {
                _depth++;
            }
            _state = _depth == 0 ? State.Trailing : State.Text;
        }
        else if (!IsSpace(b))
        {
            _lastInTag = b;
        }
    }

    /// <summary>After the root element: whitespace is dropped silently, anything else dropped with one warning at the end.</summary>
    private void Trailing()
    {
        var b = _in[_inPos];
        if (!IsSpace(b))
        {
            if (_trailingFirst < 0)
            {
                _trailingFirst = Offset;
            }
            _trailingBytes++;
        }
        _inPos++;
    }

    /// <summary>'&amp;': kept when a predefined entity or a character reference follows, else escaped (never expanded).</summary>
    private void Amp()
    {
        Ensure(12);
        var s = Ahead;
        Steps += Math.Min(s.Length, 12); // ReferenceLength looks at no more
        var n = ReferenceLength(s);
        if (n > 0)
        {
            Copy(n);
            return;
        }
        warnings.AddAt(DmarcReportWarningCodes.UnescapedAmpersand, "'&' that starts no predefined entity or character reference read as text", Offset);
        Emit("&amp;"u8);
        _inPos++;
    }

    private static int ReferenceLength(ReadOnlySpan<byte> s)
    {
        if (s.StartsWith("&amp;"u8)) { return 5; }
        if (s.StartsWith("&lt;"u8) || s.StartsWith("&gt;"u8)) { return 4; }
        if (s.StartsWith("&quot;"u8) || s.StartsWith("&apos;"u8)) { return 6; }
        if (s.Length < 4 || s[1] != '#')
        {
            return 0;
        }
        var hex = s[2] is (byte)'x';
        var i = hex ? 3 : 2;
        var start = i;
        while (i < s.Length && i - start < 7 && (hex ? char.IsAsciiHexDigit((char)s[i]) : char.IsAsciiDigit((char)s[i])))
        {
            i++;
        }
        return i > start && i < s.Length && s[i] == ';' ? i + 1 : 0;
    }

    /// <summary>One UTF-8 sequence (RFC 3629 table: no overlongs, no surrogates, at most U+10FFFF), else one byte replaced.</summary>
    private void Utf8()
    {
        Ensure(4);
        var s = Ahead;
        var b0 = s[0];
        var need = b0 is >= 0xC2 and <= 0xDF ? 1 : b0 is >= 0xE0 and <= 0xEF ? 2 : b0 is >= 0xF0 and <= 0xF4 ? 3 : -1;
        var valid = need > 0 && s.Length > need;
        for (var k = 1; valid && k <= need; k++)
        {
            valid = s[k] is >= 0x80 and <= 0xBF;
        }
        if (valid)
        {
            var b1 = s[1];
            valid = b0 switch
            {
                0xE0 => b1 >= 0xA0,
                0xED => b1 <= 0x9F,
                0xF0 => b1 >= 0x90,
                0xF4 => b1 <= 0x8F,
                _ => true,
            };
        }
        if (!valid)
        {
            Replace(ref _lastBadUtf8, DmarcReportWarningCodes.InvalidUtf8, "bytes that are not UTF-8 replaced by U+FFFD");
            return;
        }
        if (b0 == 0xEF && s[1] == 0xBF && s[2] is 0xBE or 0xBF)
        {
            // U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
            Replace(ref _lastBadChar, DmarcReportWarningCodes.InvalidXmlCharacter, "U+FFFE or U+FFFF, which XML forbids, replaced by U+FFFD");
            _inPos += 2;
            return;
        }
        Copy(need + 1);
    }

    /// <summary>Writes U+FFFD for the current byte; one warning per run of adjacent bad bytes.</summary>
    private void Replace(ref long last, string code, string message)
    {
        if (Offset != last + 1)
        {
            warnings.AddAt(code, message, Offset);
        }
        last = Offset;
        Emit([0xEF, 0xBF, 0xBD]);
        _inPos++;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    // XML 1.0 name characters, ASCII part exactly; every non-ASCII byte is allowed (UTF-8 letters), as the reader decides.
    private static bool IsNameStart(byte b) => char.IsAsciiLetter((char)b) || b is (byte)'_' or (byte)':' || b >= 0x80;

    private static bool IsNameChar(byte b) => IsNameStart(b) || char.IsAsciiDigit((char)b) || b is (byte)'-' or (byte)'.';
}
