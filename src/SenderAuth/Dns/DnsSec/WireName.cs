using System.Text;

namespace SenderAuth.Dns.DnsSec;

/// <summary>
/// A domain name as DNSSEC needs it: its labels as octets, lower-cased (RFC 4034 §6.2 canonical form), so names whose
/// labels hold dots or non-ASCII octets are compared and hashed exactly. <see cref="Text"/> is for display and
/// matching with the rest of the engine (no trailing dot; the root is <c>"."</c>).
/// </summary>
internal sealed class WireName : IEquatable<WireName>, IComparable<WireName>
{
    /// <summary>The root name.</summary>
    public static readonly WireName Root = new([]);

    private readonly byte[][] _labels;

    internal WireName(byte[][] labels)
    {
        _labels = labels;
        foreach (var label in labels)
        {
            for (var i = 0; i < label.Length; i++)
            {
                label[i] = Lower(label[i]);
            }
        }
        Text = labels.Length == 0 ? "." : string.Join('.', labels.Select(l => Encoding.Latin1.GetString(l)));
    }

    /// <summary>Presentation form, lower case, no trailing dot; <c>"."</c> for the root.</summary>
    public string Text { get; }

    /// <summary>Number of labels, not counting the root (RFC 4034 §3.1.3).</summary>
    public int LabelCount => _labels.Length;

    /// <summary>Leftmost label first.</summary>
    internal IReadOnlyList<byte[]> Labels => _labels;

    /// <summary>Parses a presentation-form name (absolute; a trailing dot is optional; <c>"."</c> is the root).</summary>
    /// <exception cref="FormatException">An empty label, a label over 63 octets or a name over 255 octets.</exception>
    public static WireName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.EndsWith('.') ? text[..^1] : text;
        if (t.Length == 0)
        {
            return Root;
        }
        var labels = t.Split('.').Select(l => Encoding.Latin1.GetBytes(l)).ToArray();
        if (labels.Any(l => l.Length is 0 or > 63) || labels.Sum(l => l.Length + 1) + 1 > 255)
        {
            throw new FormatException($"invalid domain name '{text}'");
        }
        return new WireName(labels);
    }

    /// <summary>The name one label up; the root's parent is the root.</summary>
    public WireName Parent() => _labels.Length == 0 ? this : new WireName(_labels[1..]);

    /// <summary>The rightmost <paramref name="count"/> labels.</summary>
    public WireName Suffix(int count) => count >= _labels.Length ? this : new WireName(_labels[(_labels.Length - count)..]);

    /// <summary>This name with one label in front (e.g. <c>*</c> for a wildcard).</summary>
    public WireName Prepend(string label) => new([Encoding.Latin1.GetBytes(label), .. _labels.Select(l => (byte[])l.Clone())]);

    /// <summary>True when this name equals <paramref name="ancestor"/> or is below it.</summary>
    public bool IsAtOrBelow(WireName ancestor)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        if (ancestor._labels.Length > _labels.Length)
        {
            return false;
        }
        var offset = _labels.Length - ancestor._labels.Length;
        for (var i = 0; i < ancestor._labels.Length; i++)
        {
            if (!_labels[offset + i].AsSpan().SequenceEqual(ancestor._labels[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Uncompressed wire form, lower case: the canonical form of RFC 4034 §6.2.</summary>
    public byte[] ToWire()
    {
        var buffer = new byte[_labels.Sum(l => l.Length + 1) + 1];
        var pos = 0;
        foreach (var label in _labels)
        {
            buffer[pos++] = (byte)label.Length;
            label.CopyTo(buffer, pos);
            pos += label.Length;
        }
        return buffer;
    }

    /// <summary>Canonical DNS name order (RFC 4034 §6.1): by labels from the right, each compared as octets.</summary>
    public int CompareTo(WireName? other)
    {
        if (other is null)
        {
            return 1;
        }
        for (int i = _labels.Length - 1, j = other._labels.Length - 1; i >= 0 || j >= 0; i--, j--)
        {
            if (i < 0)
            {
                return -1;
            }
            if (j < 0)
            {
                return 1;
            }
            var c = _labels[i].AsSpan().SequenceCompareTo(other._labels[j]);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    public bool Equals(WireName? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is WireName n && Equals(n);

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Text;

    internal static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
