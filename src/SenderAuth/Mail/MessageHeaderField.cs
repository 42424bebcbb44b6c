namespace SenderAuth.Mail;

/// <summary>
/// One header field of a raw message: its name and its exact bytes (all lines, with their terminators, as
/// received). <see cref="Smuggled"/> marks a field whose first line began with a character some parsers take
/// for folding whitespace and others ignore (VT, FF, lone CR, NBSP, U+2028): its name is read after them, so
/// a hidden "From" is still seen as a From.
/// </summary>
public sealed class MessageHeaderField(string name, ReadOnlyMemory<byte> raw, int offset, bool smuggled, bool hasColon)
{
    public string Name { get; } = name;

    public ReadOnlyMemory<byte> Raw { get; } = raw;

    /// <summary>Byte offset of the field in the message.</summary>
    public int Offset { get; } = offset;

    public bool Smuggled { get; } = smuggled;

    /// <summary>False for a line without ':' (not a header field at all; kept so nothing is silently lost).</summary>
    public bool HasColon { get; } = hasColon;

    public bool Is(string name) => HasColon && string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The unfolded value after the colon, trimmed, decoded as UTF-8 (RFC 6532).</summary>
    public string Value
    {
        get
        {
            var span = Raw.Span;
            var colon = span.IndexOf((byte)':');
            var text = System.Text.Encoding.UTF8.GetString(span[(colon + 1)..]);
            return text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim(' ', '\t');
        }
    }

    public override string ToString() => $"{Name}: {Value}";
}
