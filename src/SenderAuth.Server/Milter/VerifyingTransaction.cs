using System.Buffers;
using System.Net;
using System.Text;
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
            logger.LogInformation("milter {QueueId}: removed {Count} Authentication-Results claiming {AuthServId}", envelope.QueueId, forged.Count, authservId);
        }
        if (_body is null)
        {
            metrics.MilterMessage("verify-oversize");
            logger.LogWarning("milter {QueueId}: larger than Milter:MaxVerifyMessageBytes ({Limit}); not verified", envelope.QueueId, options.MaxVerifyMessageBytes);
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

    /// <summary>The authserv-id of an Authentication-Results value: the first token, comments and version dropped.</summary>
    internal static string AuthServIdOf(string value)
    {
        // Comments (RFC 5322 CFWS) may stand before or after the id: each becomes one space, an unclosed one ends the
        // text. One pass: rebuilding the string per comment was quadratic (16 KB of "()" allocated 385 MB; found by
        // fuzz/run auth-results, kept in fuzz/regressions/auth-results).
        var kept = new StringBuilder(value.Length);
        for (var at = 0; at < value.Length;)
        {
            var open = value.IndexOf('(', at);
            if (open < 0)
            {
                kept.Append(value, at, value.Length - at);
                break;
            }
            kept.Append(value, at, open - at);
            var close = value.IndexOf(')', open);
            if (close < 0)
            {
                break;
            }
            kept.Append(' ');
            at = close + 1;
        }
        var text = kept.ToString();
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        var id = (semicolon < 0 ? text : text[..semicolon]).Trim();
        var space = id.IndexOfAny([' ', '\t']);
        return (space < 0 ? id : id[..space]).TrimEnd('.');
    }
}
