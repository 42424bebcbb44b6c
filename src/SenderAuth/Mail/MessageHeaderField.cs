namespace SenderAuth.Mail;

/// <summary>
/// One header field of a raw message: its name and its exact bytes (all lines, with their terminators, as
/// received). <see cref="Smuggled"/> marks a field whose first line began with a character some parsers take
/// for folding whitespace and others ignore (VT, FF, lone CR, NBSP, U+2028): its name is read after them, so
/// a hidden "From" is still seen as a From.
/// </summary>
public sealed class MessageHeaderField(string name, ReadOnlyMemory<byte> raw, int offset, bool smuggled, bool hasColon)
{
    /// <summary>The field name as written (case kept), after any smuggling characters; empty when there is no colon.</summary>
    public string Name { get; } = name;

    /// <summary>The exact bytes of the field, every line with its terminator: what DKIM canonicalizes and signs.</summary>
    public ReadOnlyMemory<byte> Raw { get; } = raw;

    /// <summary>Byte offset of the field in the message.</summary>
    public int Offset { get; } = offset;

    /// <summary>True when the first line began with VT, FF, a lone CR, NBSP or U+2028.</summary>
    /// <remarks>Security: some readers show such a field and others skip it, so a hidden second From could change what
    /// the reader sees from what was signed; verifiers treat it as a From all the same.</remarks>
    public bool Smuggled { get; } = smuggled;

    /// <summary>False for a line without ':' (not a header field at all; kept so nothing is silently lost).</summary>
    public bool HasColon { get; } = hasColon;

    /// <summary>True when this is a real field named <paramref name="name"/> (ASCII case-insensitive).</summary>
    public bool Is(string name) => HasColon && string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    private string? _value;

    /// <summary>The unfolded value after the colon, trimmed, decoded as UTF-8 (RFC 6532). Computed once per field.</summary>
    public string Value => _value ??= Unfold(Raw.Span);

    private static string Unfold(ReadOnlySpan<byte> field)
    {
        var value = field[(field.IndexOf((byte)':') + 1)..];
        if (!System.Text.Ascii.IsValid(value))
        {
            // Decoded first, then unfolded: with invalid UTF-8 next to a line break, removing the break first could
            // join bytes into a character that decoding the field as received does not produce.
            var text = System.Text.Encoding.UTF8.GetString(value);
            return text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim(' ', '\t');
        }
        // ASCII (nearly every field): drop CRLF and bare LF while copying, one string instead of three. Every
        // signature and From field is read this way on the verify and sign paths.
        if (value.IndexOf((byte)'\n') < 0)
        {
            return System.Text.Encoding.ASCII.GetString(value.Trim(" \t"u8));
        }
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(value.Length);
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b == '\n' || (b == '\r' && i + 1 < value.Length && value[i + 1] == '\n'))
            {
                continue;
            }
            rented[n++] = b;
        }
        var unfolded = System.Text.Encoding.ASCII.GetString(rented.AsSpan(0, n).Trim(" \t"u8));
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return unfolded;
    }

    /// <c>Name: value</c> with the value unfolded, for logs and test output.
    public override string ToString() => $"{Name}: {Value}";
}
