using SenderAuth.Mail;
using SenderAuth.Milter;

namespace SenderAuth.Fuzz;

/// <summary>The milter protocol (v6) as an MTA sends it: length-prefixed packets read by the engine's reader.</summary>
internal static class MilterTargets
{
    /// <summary>
    /// The input is a byte stream from the MTA: <see cref="MilterPacketReader"/> frames it, and each packet is read as
    /// the server's session reads it (negotiation, connect, NUL-terminated string fields, macros, header fields into
    /// <see cref="MilterHeaders"/>, the header section as a message at end of headers). The documented errors are
    /// <see cref="MilterProtocolException"/> (the connection is ended) and, for the header section handed to the
    /// signer or verifier, <see cref="MessageFormatException"/> (the message is answered with a failure).
    /// </summary>
    public static FuzzTarget Packets { get; } = new("milter", input =>
    {
        using var stream = new MemoryStream(input, writable: false);
        using var reader = new MilterPacketReader(stream, new MilterLimits());
        var headers = new MilterHeaders(1000, 1024 * 1024);
        var leadingSpace = false;
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } packet)
        {
            switch (packet.Command)
            {
                case MilterCommand.OptionNegotiation:
                    var (version, actions, steps) = MilterPacket.ReadNegotiation(packet.Data.Span);
                    var answer = MilterNegotiation.Answer(version, actions, steps, MilterActions.AddHeaders | MilterActions.ChangeHeaders, MilterSteps.HeaderLeadingSpace);
                    leadingSpace = answer.HeaderLeadingSpace;
                    break;
                case MilterCommand.Connect:
                    _ = MilterPacket.ReadConnect(packet.Data);
                    break;
                case MilterCommand.Macro:
                    if (packet.Data.Length < 1)
                    {
                        throw new MilterProtocolException("malformed", "macro: the command code is missing");
                    }
                    _ = MilterPacket.Fields(packet.Data[1..], packet.Command);
                    break;
                case MilterCommand.Helo or MilterCommand.Mail or MilterCommand.Recipient:
                    _ = MilterPacket.Fields(packet.Data, packet.Command);
                    break;
                case MilterCommand.Header:
                    headers.Add(packet.Data, leadingSpace);
                    break;
                case MilterCommand.EndOfHeaders:
                    _ = headers.ToMessage();
                    headers.Clear();
                    break;
                default:
                    _ = MilterPacket.Name(packet.Command);
                    break;
            }
        }
    }, [typeof(MilterProtocolException), typeof(MessageFormatException)], FuzzBudget.Text);
}
