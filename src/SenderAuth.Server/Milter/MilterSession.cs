using System.Buffers;
using System.Net;
using System.Text;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Mail;
using SenderAuth.Milter;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Signing;

namespace SenderAuth.Server.Milter;

/// <summary>
/// One MTA connection: negotiation, then transactions until QUIT. Sign mode picks the signer when the headers
/// end (<see cref="SigningService.ChooseAsync"/>, the same decision as the HTTP API), hashes body chunks as they
/// come and inserts the DKIM-Signature field(s) at end of message. Verify mode holds the message (up to
/// MaxVerifyMessageBytes), removes Authentication-Results fields that claim our authserv-id (RFC 8601 §5) and adds
/// its own.
/// </summary>
internal sealed class MilterSession(MilterOptions options, SigningService signing, Func<MessageVerifier> verifier, ServerMetrics metrics, ILogger logger)
{
    /// <summary>The MTA is the platform's own: it may sign for every institution, like an operator key.</summary>
    private static readonly Caller Mta = new(0, "milter", null);

    private readonly MilterHeaders _headers = new(options.MaxHeaderFields, options.MaxHeaderBytes);
    private MilterNegotiation? _negotiation;
    private string? _queueId;
    private IPAddress? _clientIp;
    private string? _helo;
    private string? _mailFrom;

    private bool _inMessage;
    private bool _headersEnded;
    private MailMessage? _headerSection;
    private SigningChoice? _choice;
    private DkimStreamingSignature? _streaming;
    private string? _unsignable;
    private Exception? _internalError;
    private ArrayBufferWriter<byte>? _body;
    private bool _oversize;

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
            _negotiation = options.VerifyMode
                ? MilterNegotiation.Answer(version, actions, steps, MilterActions.AddHeaders | MilterActions.ChangeHeaders,
                    MilterSteps.NoRecipient | MilterSteps.NoUnknown | MilterSteps.NoData | MilterSteps.NoReplyConnect | MilterSteps.NoReplyHelo
                    | MilterSteps.NoReplyMail | MilterSteps.NoReplyHeader | MilterSteps.NoReplyEndOfHeaders | MilterSteps.NoReplyBody | MilterSteps.HeaderLeadingSpace)
                // Signing needs only the message: the MTA skips the SMTP dialogue and waits for no reply before end of message.
                : MilterNegotiation.Answer(version, actions, steps, MilterActions.AddHeaders,
                    MilterSteps.NoConnect | MilterSteps.NoHelo | MilterSteps.NoMail | MilterSteps.NoRecipient | MilterSteps.NoUnknown | MilterSteps.NoData
                    | MilterSteps.NoReplyHeader | MilterSteps.NoReplyEndOfHeaders | MilterSteps.NoReplyBody | MilterSteps.HeaderLeadingSpace);
            writer.Negotiate(_negotiation.Version, _negotiation.Actions, _negotiation.Steps);
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
            _headerSection = _headers.ToMessage();
            if (options.VerifyMode)
            {
                _body = new ArrayBufferWriter<byte>(16 * 1024);
                return;
            }
            string from;
            try
            {
                from = DkimSigner.FromDomain(_headerSection);
            }
            catch (DkimSignException e)
            {
                _unsignable = e.Message;
                return;
            }
            _choice = await signing.ChooseAsync(from, Mta, null, options.UnknownDomainPolicy, ct).ConfigureAwait(false);
            if (_choice.Signer is { } signer)
            {
                _streaming = signer.BeginStreaming();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Acted on at end of message: the MTA waits for no reply before then.
            _internalError = e;
        }
    }

    private void Body(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return;
        }
        if (_streaming is { } s)
        {
            s.AppendBody(chunk);
        }
        else if (_body is { } body && !_oversize)
        {
            if ((long)(_headerSection?.Raw.Length ?? 0) + body.WrittenCount + chunk.Length > options.MaxVerifyMessageBytes)
            {
                // Bounded: past the limit nothing more is held; the message gets no DKIM verdict.
                _oversize = true;
                _body = null;
                return;
            }
            body.Write(chunk);
        }
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
            if (options.VerifyMode)
            {
                await VerifyAsync(writer, negotiation, ct).ConfigureAwait(false);
            }
            else
            {
                Sign(writer, negotiation);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            InternalError(writer, e);
        }
    }

    private void Sign(MilterReplyWriter writer, MilterNegotiation negotiation)
    {
        if (_unsignable is not null || _choice is null || _headerSection is null)
        {
            metrics.SignFailed("malformed");
            metrics.MilterMessage("unsigned");
            logger.LogInformation("milter {QueueId}: not signed: {Reason}", _queueId, _unsignable ?? "no header section");
            writer.Reply(MilterReply.Continue);
            return;
        }
        var choice = _choice;
        switch (choice.Disposition)
        {
            case SignDisposition.Signed or SignDisposition.SignedWithProviderDomain:
                IReadOnlyList<string> fields;
                try
                {
                    fields = _streaming!.Complete(_headerSection);
                }
                catch (DkimSignException e)
                {
                    _unsignable = e.Message;
                    Sign(writer, negotiation);
                    return;
                }
                // Inserted at the top, last first, so they stand in the signer's order above every other field.
                for (var i = fields.Count - 1; i >= 0; i--)
                {
                    writer.InsertHeader(0, "DKIM-Signature", FieldValue(fields[i], "DKIM-Signature", negotiation));
                }
                writer.Reply(MilterReply.Continue);
                signing.AfterSigning(choice, SigningChannel.Milter);
                metrics.MilterMessage("signed");
                logger.LogDebug("milter {QueueId}: signed d={Domain} s={Selector}", _queueId, choice.Domain, choice.Selector);
                return;
            case SignDisposition.PassedUnsigned:
                metrics.MilterMessage("unsigned");
                logger.LogInformation("milter {QueueId}: passed unsigned by policy: {Reason}", _queueId, choice.Detail);
                writer.Reply(MilterReply.Continue);
                return;
            default:
                metrics.MilterMessage("rejected");
                logger.LogInformation("milter {QueueId}: rejected by policy: {Reason}", _queueId, choice.Detail);
                writer.ReplyCode("550 5.7.1 " + SmtpText($"not signed: {choice.Detail}"));
                return;
        }
    }

    private async ValueTask VerifyAsync(MilterReplyWriter writer, MilterNegotiation negotiation, CancellationToken ct)
    {
        var headers = _headerSection!;
        var authservId = options.AuthServId!;
        // RFC 8601 §5: fields claiming our authserv-id did not come from us; removed, highest occurrence first so
        // the numbers of the others do not move.
        var forged = new List<int>();
        var occurrence = 0;
        foreach (var h in headers.Headers)
        {
            if (h.Is("Authentication-Results"))
            {
                occurrence++;
                if (AuthServIdOf(h.Value).Equals(authservId, StringComparison.OrdinalIgnoreCase))
                {
                    forged.Add(occurrence);
                }
            }
        }
        for (var i = forged.Count - 1; i >= 0; i--)
        {
            writer.ChangeHeader((uint)forged[i], "Authentication-Results", "");
        }
        if (forged.Count > 0)
        {
            logger.LogInformation("milter {QueueId}: removed {Count} Authentication-Results claiming {AuthServId}", _queueId, forged.Count, authservId);
        }
        if (_oversize || _body is null)
        {
            metrics.MilterMessage("verify-oversize");
            logger.LogWarning("milter {QueueId}: larger than Milter:MaxVerifyMessageBytes ({Limit}); not verified", _queueId, options.MaxVerifyMessageBytes);
            writer.Reply(MilterReply.Continue);
            return;
        }
        var message = new byte[headers.Raw.Length + _body.WrittenCount];
        headers.Raw.Span.CopyTo(message);
        _body.WrittenSpan.CopyTo(message.AsSpan(headers.Raw.Length));
        var result = await verifier().VerifyAsync(message, _clientIp ?? IPAddress.None, _mailFrom, _helo, ct).ConfigureAwait(false);
        writer.InsertHeader(0, "Authentication-Results", FieldValue(result.AuthenticationResults, "Authentication-Results", negotiation));
        writer.Reply(MilterReply.Continue);
        metrics.MilterMessage("verified");
    }

    private void InternalError(MilterReplyWriter writer, Exception error)
    {
        metrics.MilterError("internal");
        if (options.TempFailOnError)
        {
            logger.LogError(error, "milter {QueueId}: internal error; the message is deferred (Milter:OnError=tempfail)", _queueId);
            metrics.MilterMessage("tempfail");
            writer.ReplyCode("451 4.3.0 SenderAuth could not process this message; try again later");
        }
        else
        {
            logger.LogError(error, "milter {QueueId}: internal error; the message passes unprocessed (Milter:OnError=accept)", _queueId);
            metrics.MilterMessage("unsigned");
            writer.Reply(MilterReply.Continue);
        }
    }

    private void ResetMessage()
    {
        _headers.Clear();
        _inMessage = false;
        _headersEnded = false;
        _headerSection = null;
        _choice = null;
        _streaming?.Dispose();
        _streaming = null;
        _unsignable = null;
        _internalError = null;
        _body = null;
        _oversize = false;
    }

    private void ReadMacros(ReadOnlyMemory<byte> data)
    {
        if (data.Length < 1)
        {
            throw new MilterProtocolException("malformed", "macro: the command code is missing");
        }
        var fields = MilterPacket.Fields(data[1..], MilterCommand.Macro);
        for (var i = 0; i + 1 < fields.Count; i += 2)
        {
            if (fields[i].Span.SequenceEqual("i"u8) || fields[i].Span.SequenceEqual("{i}"u8))
            {
                _queueId = Encoding.ASCII.GetString(fields[i + 1].Span);
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

    /// <summary>The authserv-id of an Authentication-Results value: the first token, comments and version dropped.</summary>
    internal static string AuthServIdOf(string value)
    {
        var text = value;
        // Comments (RFC 5322 CFWS) may stand before or after the id.
        for (var open = text.IndexOf('(', StringComparison.Ordinal); open >= 0; open = text.IndexOf('(', StringComparison.Ordinal))
        {
            var close = text.IndexOf(')', open);
            text = close < 0 ? text[..open] : text[..open] + " " + text[(close + 1)..];
        }
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        var id = (semicolon < 0 ? text : text[..semicolon]).Trim();
        var space = id.IndexOfAny([' ', '\t']);
        return (space < 0 ? id : id[..space]).TrimEnd('.');
    }

    /// <summary>SMTP reply text: printable ASCII on one line, bounded.</summary>
    private static string SmtpText(string text)
    {
        var clean = new string(text.Select(c => c is >= ' ' and <= '~' ? c : ' ').ToArray());
        return clean.Length > 300 ? clean[..300] : clean;
    }
}
