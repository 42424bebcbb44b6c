using System.Globalization;
using System.Text;

namespace SenderAuth.Server.Publishing;

/// <summary>TXT character-strings in master-file form (RFC 1035 §5.1): quoted, with <c>\"</c>, <c>\\</c> and <c>\DDD</c>.</summary>
internal static class TxtPresentation
{
    /// <summary>
    /// One quoted string. Printable ASCII stays as it is; other bytes of the UTF-8 form are written <c>\DDD</c>, so the
    /// file is ASCII and every reader gets the same octets back.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                sb.Append('\\').Append((char)b);
            }
            else if (b is < 0x20 or > 0x7e)
            {
                sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The character-strings of TXT data such as <c>"v=DKIM1; k=rsa; " "p=MIIB..."</c>; unquoted words count as strings too.</summary>
    public static IReadOnlyList<string> Parse(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new List<string>();
        var i = 0;
        while (i < data.Length)
        {
            if (char.IsWhiteSpace(data[i]))
            {
                i++;
                continue;
            }
            var quoted = data[i] == '"';
            if (quoted)
            {
                i++;
            }
            var bytes = new List<byte>();
            while (i < data.Length && (quoted ? data[i] != '"' : !char.IsWhiteSpace(data[i])))
            {
                if (data[i] == '\\' && i + 1 < data.Length)
                {
                    if (i + 3 < data.Length && char.IsAsciiDigit(data[i + 1]) && char.IsAsciiDigit(data[i + 2]) && char.IsAsciiDigit(data[i + 3]))
                    {
                        var value = int.Parse(data.AsSpan(i + 1, 3), CultureInfo.InvariantCulture);
                        bytes.Add(value <= 255 ? (byte)value : throw new FormatException($"escape \\{value} is above 255 in TXT data"));
                        i += 4;
                        continue;
                    }
                    i++;
                }
                bytes.AddRange(Encoding.UTF8.GetBytes(data[i].ToString()));
                i++;
            }
            if (quoted)
            {
                if (i >= data.Length)
                {
                    throw new FormatException("unterminated quoted string in TXT data");
                }
                i++;
            }
            result.Add(Encoding.UTF8.GetString([.. bytes]));
        }
        return result;
    }
}
