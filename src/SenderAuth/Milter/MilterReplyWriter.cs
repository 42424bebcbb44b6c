using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SenderAuth.Milter;

/// <summary>
/// Builds replies to the MTA; <see cref="FlushAsync"/> sends everything queued in one write (the end-of-message
/// actions and the final verdict go out together).
/// </summary>
internal sealed class MilterReplyWriter(Stream stream)
{
    private readonly ArrayBufferWriter<byte> _pending = new(1024);

    /// <summary>A reply without data (continue, accept, tempfail, reject, discard, skip).</summary>
    public void Reply(MilterReply reply) => Packet(reply, []);

    /// <summary>SMFIR_REPLYCODE: an SMTP reply such as "451 4.7.1 signing is unavailable".</summary>
    public void ReplyCode(string smtpReply) => Packet(MilterReply.ReplyCode, Z(smtpReply));

    /// <summary>SMFIR_OPTNEG: what this milter asks for.</summary>
    public void Negotiate(uint version, MilterActions actions, MilterSteps steps) => Negotiate(version, actions, steps, []);

    /// <param name="macros">Macro lists per stage (SMFIM_* number, space-separated names), sent after the steps as
    /// libmilter's smfi_setsymlist does; only with <see cref="MilterActions.SetSymbolList"/> agreed.</param>
    public void Negotiate(uint version, MilterActions actions, MilterSteps steps, IReadOnlyList<(uint Stage, string Names)> macros)
    {
        ArgumentNullException.ThrowIfNull(macros);
        var data = new List<byte>(12 + macros.Sum(m => 5 + m.Names.Length));
        Span<byte> word = stackalloc byte[4];
        foreach (var value in new[] { version, (uint)actions, (uint)steps })
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, value);
            data.AddRange(word);
        }
        foreach (var (stage, names) in macros)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, stage);
            data.AddRange(word);
            data.AddRange(Z(names));
        }
        Packet(MilterReply.OptionNegotiation, data.ToArray());
    }

    /// <summary>SMFIR_ADDHEADER: a field appended after the others.</summary>
    public void AddHeader(string name, string value) => Packet(MilterReply.AddHeader, [.. Z(name), .. Z(value)]);

    /// <summary>SMFIR_INSHEADER: a field inserted before the field at <paramref name="index"/> (0: at the top).</summary>
    public void InsertHeader(uint index, string name, string value) => Packet(MilterReply.InsertHeader, [.. Index(index), .. Z(name), .. Z(value)]);

    /// <summary>SMFIR_CHGHEADER: changes the <paramref name="occurrence"/>-th field of that name (from 1); an empty value deletes it.</summary>
    public void ChangeHeader(uint occurrence, string name, string value) => Packet(MilterReply.ChangeHeader, [.. Index(occurrence), .. Z(name), .. Z(value)]);

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }
        await stream.WriteAsync(_pending.WrittenMemory, ct).ConfigureAwait(false);
        _pending.ResetWrittenCount();
    }

    private void Packet(MilterReply reply, ReadOnlySpan<byte> data)
    {
        var span = _pending.GetSpan(5 + data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(data.Length + 1));
        span[4] = (byte)reply;
        data.CopyTo(span[5..]);
        _pending.Advance(5 + data.Length);
    }

    private static byte[] Index(uint i)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, i);
        return b;
    }

    // Header values may carry UTF-8 (RFC 6532); the protocol has no encoding of its own: bytes with a NUL after.
    private static byte[] Z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
