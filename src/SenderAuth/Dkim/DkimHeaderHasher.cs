using System.Buffers;
using System.Security.Cryptography;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>
/// The header half of RFC 6376 §3.7, shared by signer and verifier: the fields named in h= (each name takes
/// the next instance from the bottom, a missing one contributes nothing, §5.4.2), then the DKIM-Signature
/// field itself with the b= value emptied and without its final CRLF.
/// </summary>
internal static class DkimHeaderHasher
{
    // One buffer per thread, reused: the canonical header data of one message is a few KB, and a fresh buffer per
    // signature or verification was a quarter of what each allocated.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] Digest(MailMessage message, IReadOnlyList<string> signedHeaders, DkimCanonicalization c,
        ReadOnlySpan<byte> signatureField, HashAlgorithmName hash)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(4096);
        t_buffer = null;
        try
        {
            var headers = message.Headers;
            if (headers.Count <= 1024 && (long)headers.Count * signedHeaders.Count <= MaxScan)
            {
                AppendByScan(headers, signedHeaders, c, buffer);
            }
            else
            {
                AppendByIndex(headers, signedHeaders, c, buffer);
            }
            var start = buffer.WrittenCount;
            DkimHeaderCanonicalizer.Canonicalize(WithoutBValue(signatureField), c, buffer);
            var length = buffer.WrittenCount;
            if (length - start >= 2)
            {
                length -= 2;
            }
            return hash == HashAlgorithmName.SHA1
                ? SHA1.HashData(buffer.WrittenSpan[..length])
                : SHA256.HashData(buffer.WrittenSpan[..length]);
        }
        finally
        {
            // A huge header section must not pin its buffer to the thread for good.
            if (buffer.Capacity <= 64 * 1024)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
            }
        }
    }

    // Up to this many name comparisons a scan is cheaper than an index; beyond it (a hostile h= of thousands of
    // names over a long header section) the index keeps the work linear.
    private const int MaxScan = 4096;

    /// <summary>Each h= name takes the next unused instance from the bottom (§5.4.2), found by a scan over a mark.</summary>
    private static void AppendByScan(IReadOnlyList<MessageHeaderField> headers, IReadOnlyList<string> signedHeaders,
        DkimCanonicalization c, IBufferWriter<byte> buffer)
    {
        Span<bool> used = stackalloc bool[headers.Count];
        foreach (var name in signedHeaders)
        {
            for (var i = headers.Count - 1; i >= 0; i--)
            {
                var h = headers[i];
                if (!used[i] && h.HasColon && string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    used[i] = true;
                    DkimHeaderCanonicalizer.Canonicalize(h.Raw.Span, c, buffer);
                    break;
                }
            }
        }
    }

    /// <summary>The same through one pass over the fields, bottom up, into an index by name.</summary>
    private static void AppendByIndex(IReadOnlyList<MessageHeaderField> headers, IReadOnlyList<string> signedHeaders,
        DkimCanonicalization c, IBufferWriter<byte> buffer)
    {
        var byName = new Dictionary<string, Stack<int>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var h = headers[i];
            if (!h.HasColon)
            {
                continue;
            }
            if (!byName.TryGetValue(h.Name, out var instances))
            {
                byName[h.Name] = instances = new Stack<int>(2);
            }
            instances.Push(i);
        }
        foreach (var name in signedHeaders)
        {
            if (byName.TryGetValue(name, out var instances) && instances.Count > 0)
            {
                DkimHeaderCanonicalizer.Canonicalize(headers[instances.Pop()].Raw.Span, c, buffer);
            }
        }
    }

    /// <summary>The field with the value of its "b" tag removed (its FWS included), per RFC 6376 §3.7.</summary>
    internal static ReadOnlySpan<byte> WithoutBValue(ReadOnlySpan<byte> field)
    {
        var colon = field.IndexOf((byte)':');
        var i = colon + 1;
        while (i < field.Length)
        {
            while (i < field.Length && field[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
            }
            var nameStart = i;
            while (i < field.Length && field[i] is not ((byte)'=' or (byte)';'))
            {
                i++;
            }
            var name = field[nameStart..i].TrimEnd(" \t\r\n"u8);
            var semicolon = field[i..].IndexOf((byte)';');
            var end = semicolon < 0 ? field.Length : i + semicolon;
            if (i < field.Length && field[i] == '=' && name.SequenceEqual("b"u8))
            {
                // Keep what follows the value: the trailing line break of the field, or the rest of the tags.
                var valueEnd = end;
                if (semicolon < 0)
                {
                    while (valueEnd > i + 1 && field[valueEnd - 1] is (byte)'\r' or (byte)'\n')
                    {
                        valueEnd--;
                    }
                }
                if (valueEnd == i + 1)
                {
                    return field; // already empty: a field being signed
                }
                var result = new byte[field.Length - (valueEnd - (i + 1))];
                field[..(i + 1)].CopyTo(result);
                field[valueEnd..].CopyTo(result.AsSpan(i + 1));
                return result;
            }
            i = end + 1;
        }
        return field;
    }
}
