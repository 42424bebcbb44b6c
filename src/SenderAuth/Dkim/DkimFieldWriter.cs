using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>
/// The h= list for messages with one combination of header counts: the names in signing order, and the tag's bytes
/// with the end of each name (where a fold may go). Mail from one platform has few such combinations, so the
/// signer keeps the last one instead of rebuilding it per message.
/// </summary>
internal sealed class DkimHeaderShape
{
    private DkimHeaderShape(int[] counts, string[] names)
    {
        Counts = counts;
        Names = names;
        var tag = new StringBuilder("h=");
        PieceEnds = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            tag.Append(names[i]);
            if (i < names.Length - 1)
            {
                tag.Append(':');
            }
            PieceEnds[i] = tag.Length;
        }
        Tag = Encoding.ASCII.GetBytes(tag.ToString());
    }

    /// <summary>Instances of each distinct configured name in the message.</summary>
    public int[] Counts { get; }

    /// <summary>What h= lists: every present instance of each configured name, plus one of each over-signed name.</summary>
    public string[] Names { get; }

    /// <summary>"h=From:From:To:…".</summary>
    public byte[] Tag { get; }

    /// <summary>Offsets in <see cref="Tag"/> just past each name and its colon.</summary>
    public int[] PieceEnds { get; }

    /// <summary>Builds the shape of a message with these counts.</summary>
    public static DkimHeaderShape Create(ReadOnlySpan<int> counts, IReadOnlyList<string> headers, int[] slots, bool[] overSigned)
    {
        var names = new List<string>();
        for (var i = 0; i < headers.Count; i++)
        {
            for (var n = counts[slots[i]] + (overSigned[i] ? 1 : 0); n > 0; n--)
            {
                names.Add(headers[i]);
            }
        }
        return new DkimHeaderShape(counts.ToArray(), [.. names]);
    }
}

/// <summary>Which configured header each message field is, by name (case-insensitive), and the last shape seen.</summary>
internal sealed class DkimHeaderShapes
{
    private readonly IReadOnlyList<string> _headers;
    private readonly FrozenDictionary<string, int> _slotByName;
    private readonly int[] _slots;
    private readonly bool[] _overSigned;
    private DkimHeaderShape? _last;

    public DkimHeaderShapes(IReadOnlyList<string> headers, IReadOnlyList<string> overSigned)
    {
        _headers = headers;
        var distinct = headers.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        _slotByName = distinct.Select((name, i) => KeyValuePair.Create(name, i)).ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _slots = [.. headers.Select(h => _slotByName[h])];
        _overSigned = [.. headers.Select(h => overSigned.Contains(h, StringComparer.OrdinalIgnoreCase))];
    }

    public DkimHeaderShape Of(MailMessage message)
    {
        Span<int> counts = _slotByName.Count <= 64 ? stackalloc int[_slotByName.Count] : new int[_slotByName.Count];
        foreach (var h in message.Headers)
        {
            if (h.HasColon && _slotByName.TryGetValue(h.Name, out var slot))
            {
                counts[slot]++;
            }
        }
        var last = Volatile.Read(ref _last);
        if (last is not null && counts.SequenceEqual(last.Counts))
        {
            return last;
        }
        // Replaced whole, never mutated: a thread that read the previous shape still holds a consistent one.
        var shape = DkimHeaderShape.Create(counts, _headers, _slots, _overSigned);
        Volatile.Write(ref _last, shape);
        return shape;
    }
}

/// <summary>
/// Writes a DKIM-Signature field as ASCII, folding at 78 columns: between tags, between the names of h=, and
/// inside the b= value.
/// </summary>
internal ref struct DkimFieldWriter(IBufferWriter<byte> output, ReadOnlySpan<byte> newline)
{
    private const int Width = 78;
    private readonly ReadOnlySpan<byte> _newline = newline;
    private int _column;

    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _column += bytes.Length;
    }

    public void NewLine()
    {
        output.Write(_newline);
        output.Write("\t"u8);
        _column = 1;
    }

    /// <summary>"; " then the tag, or a fold instead of the space when the tag would pass the width.</summary>
    public void Tag(scoped ReadOnlySpan<byte> tag, bool first = false)
    {
        Separator(tag.Length, first);
        Raw(tag);
    }

    public void HeaderList(DkimHeaderShape shape)
    {
        var tag = shape.Tag.AsSpan();
        Separator(tag.Length, first: false);
        if (_column + tag.Length <= Width)
        {
            Raw(tag);
            return;
        }
        Raw(tag[..2]);
        var start = 2;
        foreach (var end in shape.PieceEnds)
        {
            if (_column + end - start > Width)
            {
                NewLine();
            }
            Raw(tag[start..end]);
            start = end;
        }
    }

    /// <summary>A value that may be split anywhere (base64), folded to fill each line.</summary>
    public void Folded(scoped ReadOnlySpan<byte> value)
    {
        while (value.Length > 0)
        {
            var n = Math.Min(Math.Max(1, Width - _column), value.Length);
            Raw(value[..n]);
            value = value[n..];
            if (value.Length > 0)
            {
                NewLine();
            }
        }
    }

    private void Separator(int tagLength, bool first)
    {
        if (first)
        {
            return;
        }
        Raw(";"u8);
        if (_column + tagLength + 1 > Width)
        {
            NewLine();
        }
        else
        {
            Raw(" "u8);
        }
    }
}
