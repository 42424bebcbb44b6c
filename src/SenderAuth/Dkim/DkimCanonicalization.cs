using System.Buffers;

namespace SenderAuth.Dkim;

/// <summary>The two canonicalization algorithms of RFC 6376 §3.4.</summary>
public enum DkimCanonicalization
{
    /// <c>simple</c> (RFC 6376 §3.4.1, §3.4.3): headers exactly as sent, only trailing empty body lines ignored; breaks on any rewrapping.
    Simple,
    /// <c>relaxed</c> (RFC 6376 §3.4.2, §3.4.4): header names lower-cased, white space runs folded; survives most relays.
    Relaxed,
}

/// <summary>
/// Header canonicalization (RFC 6376 §3.4.1, §3.4.2), shared by signer and verifier. Bare LF is read as CRLF.
/// Linear in the field's length.
/// </summary>
internal static class DkimHeaderCanonicalizer
{
    /// <summary>Appends the canonical form of one field (with its CRLF) to <paramref name="output"/>.</summary>
    public static void Canonicalize(ReadOnlySpan<byte> field, DkimCanonicalization c, IBufferWriter<byte> output)
    {
        if (c == DkimCanonicalization.Simple)
        {
            Simple(field, output);
        }
        else
        {
            Relaxed(field, output);
        }
    }

    private static void Simple(ReadOnlySpan<byte> field, IBufferWriter<byte> output)
    {
        // As is, except that line ends become CRLF and the field ends with exactly one CRLF.
        while (field.Length > 0)
        {
            var lf = field.IndexOf((byte)'\n');
            var line = lf < 0 ? field : field[..lf];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }
            output.Write(line);
            output.Write("\r\n"u8);
            field = lf < 0 ? default : field[(lf + 1)..];
        }
    }

    private static void Relaxed(ReadOnlySpan<byte> field, IBufferWriter<byte> output)
    {
        var colon = field.IndexOf((byte)':');
        if (colon < 0)
        {
            colon = field.Length;
        }
        var name = field[..colon].TrimEnd(" \t"u8);
        var dest = output.GetSpan(name.Length + 1);
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            dest[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }
        dest[name.Length] = (byte)':';
        output.Advance(name.Length + 1);

        var value = colon < field.Length ? field[(colon + 1)..] : default;
        var pendingSpace = false;
        var wroteAny = false;
        var buffer = output.GetSpan(value.Length + 2);
        var n = 0;
        foreach (var b in value)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                // Unfolding removes CR and LF; a WSP run (with or without a fold) becomes one SP, or none at the ends.
                pendingSpace |= b is (byte)' ' or (byte)'\t';
                continue;
            }
            if (pendingSpace && wroteAny)
            {
                buffer[n++] = (byte)' ';
            }
            pendingSpace = false;
            wroteAny = true;
            buffer[n++] = b;
        }
        buffer[n++] = (byte)'\r';
        buffer[n++] = (byte)'\n';
        output.Advance(n);
    }
}
