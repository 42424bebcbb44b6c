using System.Text;

namespace SenderAuth.AuthenticationResults;

/// <summary>
/// Reads the authserv-id of a received Authentication-Results field (RFC 8601 §2.2:
/// <c>[CFWS] authserv-id [CFWS authres-version] ( no-result / 1*resinfo ) [CFWS]</c>), so a receiver can remove the
/// fields that claim to be its own (§5). The id is a <c>value</c> (RFC 2045): a token or a quoted-string; comments
/// nest and hold quoted-pairs (RFC 5322 §3.2.2). Hand-written: the grammar is these few productions and no maintained
/// .NET library reads Authentication-Results.
/// </summary>
public static class AuthenticationResultsReader
{
    /// <summary>
    /// The authserv-id of the field value (the text after "Authentication-Results:", folded or not), quotes and
    /// quoted-pairs resolved; null when the value does not start with one (unterminated comment or quote, nothing
    /// before the ';').
    /// </summary>
    public static string? AuthServId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var i = 0;
        if (!SkipCfws(value, ref i) || i >= value.Length)
        {
            return null;
        }
        string id;
        if (value[i] == '"')
        {
            if (ReadQuoted(value, ref i) is not { } quoted)
            {
                return null;
            }
            id = quoted;
        }
        else
        {
            var start = i;
            while (i < value.Length && IsTokenChar(value[i]))
            {
                i++;
            }
            id = value[start..i];
        }
        // What follows the id: CFWS, an optional version, then ';' or the end (a bare id is "no result" in old writers).
        if (!SkipCfws(value, ref i))
        {
            return null;
        }
        if (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }
            if (!SkipCfws(value, ref i))
            {
                return null;
            }
        }
        return id.Length > 0 && (i >= value.Length || value[i] == ';') ? id : null;
    }

    /// <summary>
    /// True when the field claims <paramref name="authservId"/> (compared case-insensitively, a final dot ignored, as
    /// host names compare). A value that cannot be read but names the id anywhere also counts: removing a malformed
    /// field that mentions us loses nothing, leaving one a downstream reader might take for ours could.
    /// </summary>
    public static bool Claims(string value, string authservId)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(authservId);
        var id = AuthServId(value);
        return id is null
            ? value.Contains(authservId.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
            : string.Equals(id.TrimEnd('.'), authservId.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Skips FWS and comments (nested, with quoted-pairs); false on an unterminated comment.</summary>
    private static bool SkipCfws(string s, ref int i)
    {
        while (i < s.Length)
        {
            var c = s[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }
            else if (c == '(')
            {
                var depth = 0;
                for (; i < s.Length; i++)
                {
                    if (s[i] == '\\')
                    {
                        i++;
                    }
                    else if (s[i] == '(')
                    {
                        depth++;
                    }
                    else if (s[i] == ')' && --depth == 0)
                    {
                        break;
                    }
                }
                if (depth != 0 || i >= s.Length)
                {
                    return false;
                }
                i++;
            }
            else
            {
                break;
            }
        }
        return true;
    }

    /// <summary>A quoted-string at <paramref name="i"/> (on its opening quote), quoted-pairs resolved; null when unterminated.</summary>
    private static string? ReadQuoted(string s, ref int i)
    {
        var sb = new StringBuilder();
        for (i++; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
            }
            else if (c == '"')
            {
                i++;
                return sb.ToString();
            }
            else if (c is not ('\r' or '\n'))
            {
                sb.Append(c);
            }
        }
        return null;
    }

    /// <summary>RFC 2045 token characters: printable ASCII but SP and tspecials.</summary>
    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?=".IndexOf(c) < 0;
}
