using System.Net;
using System.Text;
using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// The protocol driver of one MTA connection: negotiation, then messages until QUIT. It reads packets, keeps the
/// SMTP envelope, rebuilds the header section, and hands each message to a new <see cref="IMilterTransaction"/>
/// from the mode's <see cref="MilterTransactionFactory"/> (signing or verifying: it knows no more of them). Abort,
/// quit, a connection closed inside a message and internal errors (answered by Milter:OnError) are its business.
/// </summary>
internal sealed class MilterSession(MilterOptions options, MilterTransactionFactory transactions, ServerMetrics metrics, ILogger logger)
{
    private readonly MilterHeaders _headers = new(options.MaxHeaderFields, options.MaxHeaderBytes);
    private MilterNegotiation? _negotiation;
    private string? _queueId;
    private IPAddress? _clientIp;
    private string? _helo;
    private string? _mailFrom;
    private string? _authIdentity;

    private bool _inMessage;
    private bool _headersEnded;
    private IMilterTransaction? _transaction;
    private Exception? _internalError;

    public async Task RunAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new MilterPacketReader(stream, options.Limits);
        var writer = new MilterReplyWriter(stream);
        try
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false) is { } packet)
            {
                if (!await HandleAsync(packet, writer, ct).ConfigureAwait(false))
                {
                    return;
                }
                await writer.FlushAsync(ct).ConfigureAwait(false);
            }
            if (_inMessage)
            {
                throw new MilterProtocolException("truncated", "the MTA closed the connection inside a message");
            }
        }
        finally
        {
            ResetMessage();
        }
    }

    /// <returns>False when the MTA said QUIT.</returns>
    private async ValueTask<bool> HandleAsync(MilterPacket packet, MilterReplyWriter writer, CancellationToken ct)
    {
        var command = packet.Command;
        if (command == MilterCommand.OptionNegotiation)
        {
            var (version, actions, steps) = MilterPacket.ReadNegotiation(packet.Data.Span);
            _negotiation = MilterNegotiation.Answer(version, actions, steps, transactions.Actions, transactions.Steps);
            if (transactions.Macros.Count > 0 && _negotiation.Version >= 6 && actions.HasFlag(MilterActions.SetSymbolList))
            {
                // Ask for the macros the mode needs ({client_addr}, {auth_authen}) rather than rely on the MTA's defaults.
                _negotiation = _negotiation with { Actions = _negotiation.Actions | MilterActions.SetSymbolList };
                writer.Negotiate(_negotiation.Version, _negotiation.Actions, _negotiation.Steps, [.. transactions.Macros.Select(m => ((uint)m.Stage, m.Names))]);
            }
            else
            {
                writer.Negotiate(_negotiation.Version, _negotiation.Actions, _negotiation.Steps);
            }
            return true;
        }
        var negotiation = _negotiation ?? throw new MilterProtocolException("malformed", $"{MilterPacket.Name(command)} before option negotiation");
        switch (command)
        {
            case MilterCommand.Macro:
                ReadMacros(packet.Data);
                return true;
            case MilterCommand.Connect:
                var connect = MilterPacket.ReadConnect(packet.Data);
                _clientIp = connect.Family is '4' or '6' && IPAddress.TryParse(connect.Address.Trim('[', ']').Replace("IPv6:", "", StringComparison.OrdinalIgnoreCase), out var ip) ? ip : null;
                break;
            case MilterCommand.Helo:
                _helo = FirstField(packet);
                break;
            case MilterCommand.Mail:
                ResetMessage();
                _mailFrom = FirstField(packet)?.Trim('<', '>');
                break;
            case MilterCommand.Recipient or MilterCommand.Data or MilterCommand.Unknown:
                break;
            case MilterCommand.Header:
                if (_headersEnded)
                {
                    throw new MilterProtocolException("malformed", "a header after the end of the headers");
                }
                _inMessage = true;
                _headers.Add(packet.Data, negotiation.HeaderLeadingSpace);
                break;
            case MilterCommand.EndOfHeaders:
                _inMessage = true;
                await EndHeadersAsync(ct).ConfigureAwait(false);
                break;
            case MilterCommand.Body:
                _inMessage = true;
                await EndHeadersAsync(ct).ConfigureAwait(false);
                Body(packet.Data.Span);
                break;
            case MilterCommand.EndOfMessage:
                await EndHeadersAsync(ct).ConfigureAwait(false);
                Body(packet.Data.Span);
                await EndOfMessageAsync(writer, negotiation, ct).ConfigureAwait(false);
                ResetMessage();
                return true;
            case MilterCommand.Abort:
                if (_inMessage)
                {
                    metrics.MilterMessage("aborted");
                }
                ResetMessage();
                return true;
            case MilterCommand.QuitNewConnection:
                ResetMessage();
                _clientIp = null;
                _helo = null;
                _mailFrom = null;
                _queueId = null;
                _authIdentity = null;
                return true;
            case MilterCommand.Quit:
                return false;
            default:
                throw new MilterProtocolException("malformed", $"unknown command {MilterPacket.Name(command)}");
        }
        if (negotiation.MustReply(command))
        {
            writer.Reply(MilterReply.Continue);
        }
        return true;
    }

    private async ValueTask EndHeadersAsync(CancellationToken ct)
    {
        if (_headersEnded)
        {
            return;
        }
        _headersEnded = true;
        _inMessage = true;
        try
        {
            var headerSection = _headers.ToMessage();
            _transaction = transactions.Begin();
            await _transaction.EndOfHeadersAsync(headerSection, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Acted on at end of message: the MTA waits for no reply before then.
            _internalError = e;
        }
    }

    private void Body(ReadOnlySpan<byte> chunk)
    {
        // After an internal error the message is only waited out: its answer is already decided.
        if (chunk.IsEmpty || _internalError is not null)
        {
            return;
        }
        _transaction?.Body(chunk);
    }

    private async ValueTask EndOfMessageAsync(MilterReplyWriter writer, MilterNegotiation negotiation, CancellationToken ct)
    {
        if (_internalError is { } error)
        {
            InternalError(writer, error);
            return;
        }
        try
        {
            // As they stand now: the queue id comes in macros, which the MTA may send with any command up to this one.
            var envelope = new MilterEnvelope(_queueId, _clientIp, _helo, _mailFrom, _authIdentity);
            await _transaction!.EndOfMessageAsync(envelope, writer, negotiation, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            InternalError(writer, e);
        }
    }

    private void InternalError(MilterReplyWriter writer, Exception error)
    {
        metrics.MilterError("internal");
        if (options.TempFailOnError)
        {
            logger.LogError(new EventId(LogEvents.Milter + 6), error, "milter {QueueId}: internal error; the message is deferred (Milter:OnError=tempfail)", _queueId);
            metrics.MilterMessage("tempfail");
            writer.ReplyCode("451 4.3.0 SenderAuth could not process this message; try again later");
        }
        else
        {
            logger.LogError(new EventId(LogEvents.Milter + 7), error, "milter {QueueId}: internal error; the message passes unprocessed (Milter:OnError=accept)", _queueId);
            metrics.MilterMessage("unsigned");
            writer.Reply(MilterReply.Continue);
        }
    }

    private void ResetMessage()
    {
        _headers.Clear();
        _inMessage = false;
        _headersEnded = false;
        _transaction?.Dispose();
        _transaction = null;
        _internalError = null;
    }

    private void ReadMacros(ReadOnlyMemory<byte> data)
    {
        if (data.Length < 1)
        {
            throw new MilterProtocolException("malformed", "macro: the command code is missing");
        }
        if (data.Span[0] == (byte)MilterCommand.Mail)
        {
            // Each MAIL's macros say anew whether the client authenticated: a later message of the connection
            // without {auth_authen} must not inherit an earlier one's identity.
            _authIdentity = null;
        }
        var fields = MilterPacket.Fields(data[1..], MilterCommand.Macro);
        for (var i = 0; i + 1 < fields.Count; i += 2)
        {
            var name = fields[i].Span;
            var value = fields[i + 1].Span;
            if (name.SequenceEqual("i"u8) || name.SequenceEqual("{i}"u8))
            {
                _queueId = Encoding.ASCII.GetString(value);
            }
            else if (name.SequenceEqual("{auth_authen}"u8) || name.SequenceEqual("auth_authen"u8))
            {
                _authIdentity = value.IsEmpty ? null : Encoding.UTF8.GetString(value);
            }
            else if ((name.SequenceEqual("{client_addr}"u8) || name.SequenceEqual("client_addr"u8)) && _clientIp is null
                && IPAddress.TryParse(Encoding.ASCII.GetString(value).Replace("IPv6:", "", StringComparison.OrdinalIgnoreCase), out var client))
            {
                // SMFIC_CONNECT's address wins when both come; the macro serves when the connect step is skipped.
                _clientIp = client;
            }
        }
    }

    private static string? FirstField(MilterPacket packet)
    {
        var fields = MilterPacket.Fields(packet.Data, packet.Command);
        return fields.Count == 0 ? null : Encoding.UTF8.GetString(fields[0].Span);
    }

    /// <summary>A whole field ("Name: value" with CRLF folds) as a milter header value: LF folds, leading space per negotiation.</summary>
    internal static string FieldValue(string field, string name, MilterNegotiation negotiation)
    {
        var value = field[(name.Length + 1)..].TrimEnd('\r', '\n').Replace("\r\n", "\n", StringComparison.Ordinal);
        return negotiation.HeaderLeadingSpace ? value : value.TrimStart(' ');
    }
}
