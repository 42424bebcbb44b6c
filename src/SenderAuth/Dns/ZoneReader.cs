using System.Text;

namespace SenderAuth.Dns;

/// <summary>
/// The state of one <see cref="ZoneFileParser"/> run: origin, default TTL, previous owner, the files being read
/// (for <c>$INCLUDE</c>) and the records read so far, which reach the zone only when every file parsed.
/// </summary>
internal sealed class ZoneReader
{
    private readonly string? _includeBase;
    private readonly List<string> _reading = [];
    private readonly List<DnsRecord> _records = [];
    private readonly HashSet<string> _skipped = new(StringComparer.Ordinal);
    private string? _fileName;
    private List<byte[]>? _origin;
    private uint _ttl;
    private string? _previousOwner;
    private long _totalLength;

    public ZoneReader(string? fileName, string? origin, uint ttl, string? includeBase)
    {
        _fileName = fileName;
        _ttl = ttl;
        _includeBase = includeBase;
        if (origin is not null)
        {
            _origin = DnsLabels.TryParse(origin, out var labels, out var error)
                ? labels : throw new ZoneFileException(fileName, 1, 1, $"invalid origin '{origin}': {error}");
        }
    }

    public void CopyTo(DnsZone zone)
    {
        foreach (var record in _records)
        {
            zone.Add(record);
        }
        foreach (var type in _skipped)
        {
            zone.AddSkippedType(type);
        }
    }

    /// <summary>Reads the file at <paramref name="path"/> (a pipe such as <c>/dev/fd/63</c> too), known for include
    /// loops by <paramref name="realPath"/>; <paramref name="at"/> is the <c>$INCLUDE</c> token that asked for it
    /// (null for the top file), where a read failure is reported.</summary>
    public void ReadFile(string path, string realPath, string displayName, int depth, ZoneToken? at)
    {
        string text;
        try
        {
            text = ReadBounded(path, ZoneFileLimits.MaxTotalLength - _totalLength)
                ?? throw Failure(at, $"zone files of more than {ZoneFileLimits.MaxTotalLength} characters in all");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(at, $"cannot read {displayName}: {e.Message}");
        }
        _reading.Add(realPath);
        ReadText(text, displayName, depth);
        _reading.RemoveAt(_reading.Count - 1);
    }

    /// <summary>The file's text, or null when it has more than <paramref name="room"/> characters; read in chunks, so
    /// a pipe or a huge file costs no more than the limit.</summary>
    private static string? ReadBounded(string path, long room)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = new StringBuilder();
        var buffer = new char[64 * 1024];
        int read;
        while ((read = reader.ReadBlock(buffer, 0, buffer.Length)) > 0)
        {
            if (text.Length + read > room)
            {
                return null;
            }
            text.Append(buffer, 0, read);
        }
        return text.ToString();
    }

    public void ReadText(string text, string? fileName, int depth)
    {
        _totalLength += text.Length;
        if (_totalLength > ZoneFileLimits.MaxTotalLength)
        {
            throw new ZoneFileException(fileName, 1, 1, $"zone text of more than {ZoneFileLimits.MaxTotalLength} characters in all");
        }
        _fileName = fileName;
        foreach (var entry in new ZoneFileTokenizer(text, fileName).ReadEntries())
        {
            Read(entry, depth);
        }
    }

    private ZoneFileException Failure(ZoneToken? at, string reason) =>
        at is { } token ? Error(token, reason) : new ZoneFileException(_fileName, 1, 1, reason);

    private void Read(ZoneEntry entry, int depth)
    {
        var tokens = new TokenCursor(entry.Tokens, _fileName);
        if (!entry.BlankOwner && tokens.Peek is { Quoted: false, Text: ['$', ..] })
        {
            Directive(tokens, depth);
            return;
        }
        var owner = entry.BlankOwner
            ? _previousOwner ?? throw tokens.Error(tokens.Peek!.Value, "no previous owner for a line starting with blank")
            : Name(tokens.Next("owner name"));
        _previousOwner = owner;

        uint? recordTtl = null;
        var sawClass = false;
        var type = tokens.Next("record type");
        while (!type.Quoted && (ZoneTypes.IsClass(type.Text) || char.IsAsciiDigit(type.Text[0])))
        {
            if (!ZoneTypes.IsClass(type.Text))
            {
                recordTtl = recordTtl is null ? Ttl(type, "TTL") : throw tokens.Error(type, "TTL given twice");
            }
            else if (sawClass)
            {
                throw tokens.Error(type, "class given twice");
            }
            else if (!ZoneTypes.IsInternet(type.Text))
            {
                throw tokens.Error(type, $"class {type.Text} not supported, only IN");
            }
            sawClass |= ZoneTypes.IsClass(type.Text);
            type = tokens.Next("record type");
        }
        var rdata = new ZoneRdata(this, tokens);
        if (rdata.Read(owner, recordTtl ?? _ttl, type) is { } record)
        {
            _records.Add(record);
        }
        tokens.End();
    }

    internal void Skip(string type) => _skipped.Add(type);

    private void Directive(TokenCursor tokens, int depth)
    {
        var directive = tokens.Next("directive");
        switch (directive.Text.ToUpperInvariant())
        {
            case "$ORIGIN":
                _origin = Labels(tokens.Next("$ORIGIN name"));
                break;
            case "$TTL":
                _ttl = Ttl(tokens.Next("$TTL value"), "TTL");
                break;
            case "$INCLUDE":
                Include(tokens, directive, depth);
                break;
            default:
                throw tokens.Error(directive, $"unknown directive '{directive.Text}'");
        }
        tokens.End();
    }

    /// <summary>
    /// RFC 1035 §5.1 <c>$INCLUDE file [origin]</c>: the file is read with that origin (or the current one), and
    /// the origin, TTL and previous owner of this file are back in force after it, as BIND and Knot do.
    /// </summary>
    private void Include(TokenCursor tokens, ZoneToken directive, int depth)
    {
        var fileToken = tokens.Next("$INCLUDE file name");
        var origin = tokens.Peek is null ? _origin : Labels(tokens.Next("$INCLUDE origin"));
        if (_includeBase is null)
        {
            throw Error(directive, "$INCLUDE needs a base folder (read the zone with ZoneFileParser.ParseFile)");
        }
        if (depth >= ZoneFileLimits.MaxIncludeDepth)
        {
            throw Error(directive, $"$INCLUDE nested more than {ZoneFileLimits.MaxIncludeDepth} deep");
        }
        var name = Encoding.UTF8.GetString(fileToken.Bytes);
        string real, baseReal;
        try
        {
            baseReal = IncludePath.Real(_includeBase);
            real = IncludePath.Real(Path.Combine(baseReal, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Error(fileToken, $"cannot resolve $INCLUDE '{name}': {e.Message}");
        }
        if (!IncludePath.IsWithin(real, baseReal))
        {
            throw Error(fileToken, $"$INCLUDE '{name}' is outside the zone folder {baseReal}");
        }
        if (_reading.Contains(real, StringComparer.Ordinal))
        {
            throw Error(fileToken, $"$INCLUDE '{name}' is already being read (an include loop)");
        }
        var saved = (_fileName, _origin, _ttl, _previousOwner);
        _origin = origin;
        _previousOwner = null;
        ReadFile(real, real, name, depth + 1, fileToken);
        (_fileName, _origin, _ttl, _previousOwner) = saved;
    }

    /// <summary>A name in a record: <c>@</c>, absolute, or relative to the origin, in the engine's text form.</summary>
    internal string Name(ZoneToken token) => DnsLabels.ToText(Labels(token));

    private List<byte[]> Labels(ZoneToken token)
    {
        if (token.Quoted)
        {
            throw Error(token, $"invalid domain name '{token.Text}' (a name is not quoted)");
        }
        if (token.Text == "@")
        {
            return _origin ?? throw Error(token, "'@' used before any $ORIGIN");
        }
        if (!DnsLabels.TryParse(token.Text, out var labels, out var error))
        {
            throw Error(token, $"invalid domain name '{token.Text}': {error}");
        }
        // Absolute when the last dot is a separator, not an escaped dot inside the last label.
        var absolute = token.Text == "." || DnsLabels.SeparatorDots(token.Text).LastOrDefault(-1) == token.Text.Length - 1;
        if (absolute)
        {
            return labels;
        }
        if (_origin is null)
        {
            throw Error(token, $"relative name '{token.Text}' used before any $ORIGIN");
        }
        labels.AddRange(_origin);
        return DnsLabels.Problem(labels) is { } problem ? throw Error(token, $"invalid domain name '{token.Text}': {problem}") : labels;
    }

    internal uint Ttl(ZoneToken token, string what) =>
        !token.Quoted && ZoneFileParser.TryParseTtl(token.Text, out var value) ? value : throw Error(token, $"invalid {what} '{token.Text}'");

    internal ZoneFileException Error(ZoneToken token, string reason) => new(_fileName, token.Line, token.Column, reason);
}
