namespace SenderAuth.Mail;

/// <summary>One address of a From (or other address) field: the addr-spec's local part and domain.</summary>
/// <param name="LocalPart">The part before the @.</param>
/// <param name="Domain">The part after the @, as written (compare it normalized).</param>
public sealed record Mailbox(string LocalPart, string Domain)
{
    /// <c>local@domain</c>, as compared and displayed.
    public string Address => $"{LocalPart}@{Domain}";
}

/// <summary>
/// Extracts the addresses of an RFC 5322 address-list value: display names, comments, quoted strings, angle
/// brackets and groups are understood; nothing is decoded. Written by hand because DKIM and DMARC need only
/// the addr-specs and must treat "several addresses" and "no address" as distinct outcomes, without building
/// a MIME tree per message.
/// </summary>
public static class MailboxList
{
    /// <summary>The addresses in the value; null with <paramref name="error"/> when it is not an address list.</summary>
    public static IReadOnlyList<Mailbox>? Parse(string value, out string? error)
    {
        error = null;
        var result = new List<Mailbox>();
        foreach (var item in SplitTopLevel(value, out error))
        {
            var spec = AddrSpec(item);
            if (spec is null)
            {
                continue;
            }
            var at = spec.LastIndexOf('@');
            if (at <= 0 || at == spec.Length - 1 || !OneAddress(spec))
            {
                error = $"\"{spec}\" is not an address (local-part@domain)";
                return null;
            }
            result.Add(new Mailbox(spec[..at], spec[(at + 1)..].TrimEnd('.').ToLowerInvariant()));
        }
        return error is null ? result : null;
    }

    /// <summary>Splits on commas (and group colons/semicolons) outside quotes, comments and angle brackets.</summary>
    private static List<string> SplitTopLevel(string value, out string? error)
    {
        error = null;
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var angle = false;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && (quoted || depth > 0))
            {
                i++;
                continue;
            }
            if (quoted)
            {
                quoted = c != '"';
                continue;
            }
            switch (c)
            {
                case '"' when depth == 0: quoted = true; break;
                case '(': depth++; break;
                case ')' when depth > 0: depth--; break;
                case '<' when depth == 0: angle = true; break;
                case '>' when depth == 0: angle = false; break;
                case ',' or ';' when depth == 0 && !angle:
                    parts.Add(value[start..i]);
                    start = i + 1;
                    break;
                case ':' when depth == 0 && !angle:
                    // "group-name:" starts a group; what precedes is a display name, not an address.
                    start = i + 1;
                    break;
            }
        }
        if (quoted || depth > 0)
        {
            error = quoted ? "unterminated quoted string" : "unterminated comment";
        }
        parts.Add(value[start..]);
        return parts;
    }

    /// <summary>The addr-spec of one mailbox: inside angle brackets if any, else the item without comments.</summary>
    private static string? AddrSpec(string item)
    {
        var text = StripComments(item).Trim();
        var lt = LastUnquoted(text, '<');
        if (lt >= 0)
        {
            var gt = text.IndexOf('>', lt);
            text = gt < 0 ? text[(lt + 1)..] : text[(lt + 1)..gt];
            // Obsolete route syntax: <@a,@b:user@example.com>.
            var colon = text.LastIndexOf(':');
            if (text.StartsWith('@') && colon > 0)
            {
                text = text[(colon + 1)..];
            }
        }
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// False when the addr-spec holds whitespace or a second '@' outside quotes ("a@legit.example x@attacker.example",
    /// two addresses folded without a comma): readers disagree on which address that is, so it is none.
    /// </summary>
    private static bool OneAddress(string spec)
    {
        var quoted = false;
        var ats = 0;
        for (var i = 0; i < spec.Length; i++)
        {
            var c = spec[i];
            if (c == '\\' && quoted)
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' || (c == '@' && ++ats > 1)))
            {
                return false;
            }
        }
        return true;
    }

    private static int LastUnquoted(string text, char c)
    {
        var quoted = false;
        var found = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && quoted)
            {
                i++;
            }
            else if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && text[i] == c)
            {
                found = i;
            }
        }
        return found;
    }

    private static string StripComments(string text)
    {
        if (!text.Contains('(', StringComparison.Ordinal))
        {
            return text;
        }
        var sb = new System.Text.StringBuilder(text.Length);
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && (quoted || depth > 0))
            {
                if (depth == 0)
                {
                    sb.Append(c).Append(text[i + 1]);
                }
                i++;
                continue;
            }
            if (depth == 0 && c == '"')
            {
                quoted = !quoted;
            }
            if (!quoted && c == '(')
            {
                depth++;
                continue;
            }
            if (!quoted && c == ')' && depth > 0)
            {
                depth--;
                continue;
            }
            if (depth == 0)
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
