using System.Buffers;
using SenderAuth.Mail;

namespace SenderAuth.Milter;

/// <summary>
/// The header section rebuilt from SMFIC_HEADER packets, byte for byte as on the wire (name, colon, value, CRLF;
/// folded lines, which the MTA sends with bare LF, get their CR back), within a field count and a byte limit.
/// Also counts fields by name: SMFIR_CHGHEADER addresses the n-th field of a name.
/// </summary>
internal sealed class MilterHeaders
{
    private readonly ArrayBufferWriter<byte> _bytes = new(4096);
    private readonly Dictionary<string, int> _counts = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _maxFields;
    private readonly int _maxBytes;

    public MilterHeaders(int maxFields, int maxBytes)
    {
        _maxFields = maxFields;
        _maxBytes = maxBytes;
    }

    /// <summary>Fields received, in order, with their occurrence number among fields of the same name (from 1).</summary>
    public List<(string Name, int Occurrence)> Fields { get; } = [];

    public int Count => Fields.Count;

    /// <summary>Adds one SMFIC_HEADER packet (name NUL value NUL).</summary>
    /// <param name="leadingSpace">True when the MTA keeps the space after the colon (SMFIP_HDR_LEADSPC); otherwise one is put back.</param>
    /// <exception cref="MilterProtocolException">Malformed packet, or a limit reached.</exception>
    public void Add(ReadOnlyMemory<byte> packet, bool leadingSpace)
    {
        var fields = MilterPacket.Fields(packet, MilterCommand.Header);
        if (fields.Count != 2 || fields[0].Length == 0)
        {
            throw new MilterProtocolException("malformed", $"header: expected a name and a value, each NUL-terminated (got {fields.Count} fields)");
        }
        if (Fields.Count >= _maxFields)
        {
            throw new MilterProtocolException("limit", $"more than {_maxFields} header fields (Milter:MaxHeaderFields)");
        }
        var name = fields[0].Span;
        var value = fields[1].Span;
        if (name.IndexOfAny(":\r\n"u8) >= 0)
        {
            throw new MilterProtocolException("malformed", "header: the name holds a colon or a line break");
        }
        if (_bytes.WrittenCount + name.Length + value.Length * 2 + 4 > _maxBytes)
        {
            throw new MilterProtocolException("limit", $"the header section exceeds {_maxBytes} bytes (Milter:MaxHeaderBytes)");
        }
        Write(name);
        Write(":"u8);
        if (!leadingSpace)
        {
            Write(" "u8);
        }
        // The MTA folds with bare LF; the message on the wire (and so every verifier) has CRLF.
        while (value.Length > 0)
        {
            var lf = value.IndexOf((byte)'\n');
            if (lf < 0)
            {
                Write(value);
                break;
            }
            Write(lf > 0 && value[lf - 1] == '\r' ? value[..(lf + 1)] : value[..lf]);
            if (lf == 0 || value[lf - 1] != '\r')
            {
                Write("\r\n"u8);
            }
            value = value[(lf + 1)..];
        }
        Write("\r\n"u8);
        var text = System.Text.Encoding.Latin1.GetString(name);
        var occurrence = _counts.GetValueOrDefault(text) + 1;
        _counts[text] = occurrence;
        Fields.Add((text, occurrence));
    }

    /// <summary>The header section as a message without body (what the signer and the verifier read).</summary>
    public MailMessage ToMessage()
    {
        var raw = new byte[_bytes.WrittenCount + 2];
        _bytes.WrittenSpan.CopyTo(raw);
        raw[^2] = (byte)'\r';
        raw[^1] = (byte)'\n';
        return MailMessage.Parse(raw, new MessageLimits { MaxHeaderBytes = Math.Max(_maxBytes, 1024), MaxHeaderFields = _maxFields + 1 });
    }

    /// <summary>The header section's bytes, with the empty line that ends it.</summary>
    public void CopyTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(_bytes.WrittenSpan);
        output.Write("\r\n"u8);
    }

    public void Clear()
    {
        _bytes.ResetWrittenCount();
        Fields.Clear();
        _counts.Clear();
    }

    private void Write(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);
}
