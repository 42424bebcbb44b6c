using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace SenderAuth.Dns;

/// <summary>
/// The labels of a domain name as octets, and the two text forms they travel in.
/// <list type="bullet">
/// <item><b>The engine's text form</b> (every <see cref="DnsRecord"/> name, every query): labels joined by <c>.</c>,
/// ASCII lower case, no trailing dot. A label's own <c>.</c> and <c>\</c> are written <c>\.</c> and <c>\\</c>;
/// control octets, DEL and octets that are not UTF-8 are <c>\DDD</c>; everything else (space, <c>%</c>, <c>:</c>,
/// UTF-8 text) stays as it is, so the names SPF macros expand to (<c>macro%percent  space.example.com</c>) are
/// matched without any conversion. The form is one-to-one with the octets: two names are equal exactly when their
/// texts are.</item>
/// <item><b>The master-file form</b> (RFC 1035 §5.1, what <see cref="ToMasterFile(string)"/> writes): ASCII only;
/// letters, digits and <c>- _ * /</c> as they are, every other printable character (<c>. \ " ; ( ) @ $ : %</c>…) as
/// <c>\X</c>, space, control and non-ASCII octets as <c>\DDD</c>, which Knot and BIND read back to the same
/// octets (Knot refuses a bare <c>:</c> or <c>%</c> in a name).</item>
/// </list>
/// </summary>
/// <remarks>Hand-written: DnsClient and ARSoft keep labels as .NET strings, and the engine's names are plain strings
/// throughout, so the only thing needed is the mapping between octets and these two escapings.</remarks>
public static class DnsLabels
{
    /// <summary>Most octets in one label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelOctets = 63;

    /// <summary>Most octets of a name on the wire, its length octets and the root's included (RFC 1035 §2.3.4).</summary>
    public const int MaxNameOctets = 255;

    /// <summary>Octets a name with these labels takes on the wire, uncompressed, the root label included.</summary>
    public static int WireLength(IReadOnlyList<byte[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var length = 1;
        foreach (var label in labels)
        {
            length += label.Length + 1;
        }
        return length;
    }

    /// <summary>Null when the labels fit in DNS (1..63 octets each, at most 255 on the wire), else why not.</summary>
    public static string? Problem(IReadOnlyList<byte[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var label in labels)
        {
            if (label.Length == 0)
            {
                return "empty label";
            }
            if (label.Length > MaxLabelOctets)
            {
                return $"label of {label.Length} octets, at most {MaxLabelOctets} allowed";
            }
        }
        var wire = WireLength(labels);
        return wire > MaxNameOctets ? $"name of {wire} octets on the wire, at most {MaxNameOctets} allowed" : null;
    }

    /// <summary>The engine's text form of <paramref name="labels"/> (see the class remarks), ASCII lower-cased.</summary>
    public static string ToText(IReadOnlyList<byte[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sb = new StringBuilder();
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }
            AppendText(sb, labels[i]);
        }
        return sb.ToString();
    }

    private static void AppendText(StringBuilder sb, byte[] label)
    {
        var utf8 = Utf8.IsValid(label);
        var pos = 0;
        while (pos < label.Length)
        {
            var b = label[pos];
            if (b >= 0x80 && utf8)
            {
                Rune.DecodeFromUtf8(label.AsSpan(pos), out var rune, out var consumed);
                sb.Append(rune.ToString());
                pos += consumed;
                continue;
            }
            if (b is (byte)'.' or (byte)'\\')
            {
                sb.Append('\\').Append((char)b);
            }
            else if (b is < 0x20 or >= 0x7f)
            {
                sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)Lower(b));
            }
            pos++;
        }
    }

    /// <summary>
    /// The labels of a name in the engine's text form, or in presentation form with any RFC 1035 escape
    /// (<c>\X</c>, <c>\DDD</c>); a trailing unescaped dot is allowed, <c>""</c> and <c>"."</c> are the root.
    /// Characters outside ASCII become their UTF-8 octets. False for an empty label, a bad escape or a name over
    /// the DNS limits (<paramref name="error"/> says which).
    /// </summary>
    public static bool TryParse(string text, out List<byte[]> labels, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        labels = [];
        error = null;
        if (text is "" or ".")
        {
            return true;
        }
        var current = new List<byte>();
        var pos = 0;
        Span<byte> utf8 = stackalloc byte[4];
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c == '.')
            {
                if (current.Count == 0)
                {
                    error = "empty label";
                    return false;
                }
                labels.Add([.. current]);
                current.Clear();
                pos++;
                if (pos == text.Length)
                {
                    break;
                }
                continue;
            }
            if (c == '\\')
            {
                if (!TryEscape(text, ref pos, out var octet, out error))
                {
                    return false;
                }
                current.Add(octet);
                continue;
            }
            if (Rune.DecodeFromUtf16(text.AsSpan(pos), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                error = "invalid UTF-16 in name";
                return false;
            }
            current.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
            pos += consumed;
            if (current.Count > MaxLabelOctets)
            {
                error = $"label of more than {MaxLabelOctets} octets";
                return false;
            }
        }
        if (current.Count > 0)
        {
            labels.Add([.. current]);
        }
        foreach (var label in labels)
        {
            for (var i = 0; i < label.Length; i++)
            {
                label[i] = Lower(label[i]);
            }
        }
        error = Problem(labels);
        return error is null;
    }

    /// <summary>Reads one escape at <paramref name="pos"/> (which holds the backslash): <c>\DDD</c> (exactly three
    /// digits, at most 255) or <c>\X</c> for one ASCII character X.</summary>
    internal static bool TryEscape(string text, ref int pos, out byte octet, out string? error)
    {
        octet = 0;
        error = null;
        if (pos + 1 >= text.Length)
        {
            error = "'\\' at the end of the name";
            return false;
        }
        var next = text[pos + 1];
        if (char.IsAsciiDigit(next))
        {
            if (pos + 4 > text.Length || text.AsSpan(pos + 1, 3).ContainsAnyExceptInRange('0', '9')
                || !byte.TryParse(text.AsSpan(pos + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out octet))
            {
                error = "\\DDD escape must be three decimal digits, at most 255";
                return false;
            }
            pos += 4;
            return true;
        }
        if (!char.IsAscii(next) || char.IsControl(next))
        {
            // \X stands for one octet: a non-ASCII or control character after the backslash has no single octet.
            error = "'\\' must be followed by three digits or one printable ASCII character";
            return false;
        }
        octet = (byte)next;
        pos += 2;
        return true;
    }

    /// <summary>
    /// A name in the engine's text form written for a master file (RFC 1035 §5.1), absolute with its trailing dot:
    /// letters, digits and <c>- _ * /</c> as they are, other printable characters as <c>\X</c>, every other octet
    /// (space, control, non-ASCII) as <c>\DDD</c>. The root is <c>"."</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not a name (see <see cref="TryParse"/>).</exception>
    public static string ToMasterFile(string name) => ToMasterFile(Labels(name)) + ".";

    /// <summary>The labels in master-file form without a trailing dot (relative to nothing); the root is <c>""</c>.</summary>
    public static string ToMasterFile(IReadOnlyList<byte[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sb = new StringBuilder();
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }
            foreach (var b in labels[i])
            {
                if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'*' or (byte)'/')
                {
                    sb.Append((char)b);
                }
                else if (b is > 0x20 and < 0x7f)
                {
                    // Knot's reader takes only letters, digits and "-_*/" bare in a name (it refuses "foo:bar"), and
                    // every reader takes \X for any other printable character.
                    sb.Append('\\').Append((char)b);
                }
                else
                {
                    sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>The labels of <paramref name="name"/>; throws where <see cref="TryParse"/> returns false.</summary>
    /// <exception cref="FormatException">The text is not a name.</exception>
    public static List<byte[]> Labels(string name) =>
        TryParse(name, out var labels, out var error) ? labels : throw new FormatException($"invalid domain name '{name}': {error}");

    /// <summary>Indexes in <paramref name="name"/> (engine text form) of the dots that separate labels, skipping
    /// escaped ones (<c>\.</c>); linear.</summary>
    internal static IEnumerable<int> SeparatorDots(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\')
            {
                i++;
            }
            else if (name[i] == '.')
            {
                yield return i;
            }
        }
    }

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
