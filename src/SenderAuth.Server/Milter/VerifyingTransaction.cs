using System.Buffers;
using System.Net;
using SenderAuth.AuthenticationResults;
using SenderAuth.Mail;
using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// Verifies one incoming message as its receiver: holds the message (up to Milter:MaxVerifyMessageBytes), removes
/// Authentication-Results fields that claim our authserv-id (RFC 8601 §5) and adds its own from
/// <see cref="MessageVerifier"/> (SPF with the envelope's client, HELO and MAIL FROM; DKIM; DMARC).
/// </summary>
internal sealed class VerifyingTransaction(MilterOptions options, Func<MessageVerifier> verifier, ServerMetrics metrics, ILogger logger) : IMilterTransaction
{
    private MailMessage? _headerSection;

    /// <summary>The body so far; null once the message outgrew the limit (nothing more is held).</summary>
    private ArrayBufferWriter<byte>? _body;

    /// <summary>
    /// SPF needs the SMTP dialogue (connect, HELO, MAIL), so those are asked for, without waiting for replies;
    /// ChangeHeaders removes forged Authentication-Results.
    /// </summary>
    public static MilterTransactionFactory Factory(MilterOptions options, Func<MessageVerifier> verifier, ServerMetrics metrics, ILogger logger) => new(
        MilterActions.AddHeaders | MilterActions.ChangeHeaders,
        MilterSteps.NoRecipient | MilterSteps.NoUnknown | MilterSteps.NoData | MilterSteps.NoReplyConnect | MilterSteps.NoReplyHelo
        | MilterSteps.NoReplyMail | MilterSteps.NoReplyHeader | MilterSteps.NoReplyEndOfHeaders | MilterSteps.NoReplyBody | MilterSteps.HeaderLeadingSpace,
        () => new VerifyingTransaction(options, verifier, metrics, logger));

    public ValueTask EndOfHeadersAsync(MailMessage headers, CancellationToken ct)
    {
        _headerSection = headers;
        _body = new ArrayBufferWriter<byte>(16 * 1024);
        return ValueTask.CompletedTask;
    }

    public void Body(ReadOnlySpan<byte> chunk)
    {
        if (_body is not { } body)
        {
            return;
        }
        if ((long)_headerSection!.Raw.Length + body.WrittenCount + chunk.Length > options.MaxVerifyMessageBytes)
        {
            // Bounded: past the limit nothing more is held; the message gets no DKIM verdict.
            _body = null;
            return;
        }
        body.Write(chunk);
    }

    public async ValueTask EndOfMessageAsync(MilterEnvelope envelope, MilterReplyWriter writer, MilterNegotiation negotiation, CancellationToken ct)
    {
        var headers = _headerSection!;
        var authservId = options.AuthServId!;
        // RFC 8601 §5: fields claiming our authserv-id did not come from us; removed, highest occurrence first so
        // the numbers of the others do not move. The id is read by the engine's RFC 8601 reader (CFWS, nested
        // comments, quoted strings). Occurrences count by the name exactly as the MTA sent it (SMFIR_CHGHEADER
        // addresses "the n-th field of this name"): a smuggled "\vAuthentication-Results" is its own name there.
        var forged = new List<(string Name, int Occurrence)>();
        var occurrences = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in headers.Headers)
        {
            if (!h.Is("Authentication-Results"))
            {
                continue;
            }
            var name = MtaName(h);
            var occurrence = occurrences.GetValueOrDefault(name) + 1;
            occurrences[name] = occurrence;
            if (AuthenticationResultsReader.Claims(h.Value, authservId))
            {
                forged.Add((name, occurrence));
            }
        }
        for (var i = forged.Count - 1; i >= 0; i--)
        {
            writer.ChangeHeader((uint)forged[i].Occurrence, forged[i].Name, "");
        }
        if (forged.Count > 0)
        {
            logger.LogInformation(new EventId(LogEvents.Milter + 19), "milter {QueueId}: removed {Count} Authentication-Results claiming {AuthServId}", envelope.QueueId, forged.Count, authservId);
        }
        if (_body is null)
        {
            metrics.MilterMessage("verify-oversize");
            logger.LogWarning(new EventId(LogEvents.Milter + 20), "milter {QueueId}: larger than Milter:MaxVerifyMessageBytes ({Limit}); not verified", envelope.QueueId, options.MaxVerifyMessageBytes);
            writer.Reply(MilterReply.Continue);
            return;
        }
        var message = new byte[headers.Raw.Length + _body.WrittenCount];
        headers.Raw.Span.CopyTo(message);
        _body.WrittenSpan.CopyTo(message.AsSpan(headers.Raw.Length));
        var result = await verifier().VerifyAsync(message, envelope.ClientIp ?? IPAddress.None, envelope.MailFrom, envelope.Helo, ct).ConfigureAwait(false);
        writer.InsertHeader(0, "Authentication-Results", MilterSession.FieldValue(result.AuthenticationResults, "Authentication-Results", negotiation));
        writer.Reply(MilterReply.Continue);
        metrics.MilterMessage("verified");
    }

    /// <summary>Nothing to release: the held message is garbage once the transaction is dropped.</summary>
    public void Dispose()
    {
    }

    /// <summary>The field's name as the MTA sent it: the bytes before the colon, untrimmed (MilterHeaders wrote them so).</summary>
    private static string MtaName(MessageHeaderField field)
    {
        var raw = field.Raw.Span;
        var name = raw[..raw.IndexOf((byte)':')];
        // The reply writer encodes names as UTF-8: decoded the same way, a name with U+00A0 goes back as the MTA sent it.
        return System.Text.Unicode.Utf8.IsValid(name) ? System.Text.Encoding.UTF8.GetString(name) : System.Text.Encoding.Latin1.GetString(name);
    }
}
