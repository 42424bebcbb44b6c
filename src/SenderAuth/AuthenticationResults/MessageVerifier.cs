using System.Net;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.AuthenticationResults;

/// <summary>Receiver-side settings: the authserv-id written in Authentication-Results, and each protocol's options.</summary>
public sealed record MessageVerifierOptions
{
    /// <summary>The authserv-id (RFC 8601 §2.5): this receiver's name. Default: the host name.</summary>
    public string AuthServId { get; init; } = System.Net.Dns.GetHostName();

    public SpfOptions Spf { get; init; } = new();

    public DkimVerifierOptions Dkim { get; init; } = new();

    public DmarcOptions Dmarc { get; init; } = new();
}

/// <summary>Everything a receiver concludes about one message, and the header that says it.</summary>
public sealed record MessageVerification(SpfOutcome Spf, DkimVerification Dkim, DmarcOutcome Dmarc, string AuthenticationResults);

/// <summary>
/// Verifies a message as a receiving MTA would: SPF for the MAIL FROM (or HELO), every DKIM signature, then DMARC
/// on those outcomes; and writes Authentication-Results. DNS answers are shared within one message, so no
/// name is asked twice (the tree walk and the SPF include chain often overlap).
/// </summary>
public sealed class MessageVerifier
{
    private readonly IDnsResolver _resolver;
    private readonly MessageVerifierOptions _options;
    private readonly TimeProvider _time;
    private readonly SpfOptions _spf;

    public MessageVerifier(IDnsResolver resolver, MessageVerifierOptions? options = null, TimeProvider? timeProvider = null)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _options = options ?? new MessageVerifierOptions();
        _options.Spf.Validate();
        _options.Dkim.Validate();
        _options.Dmarc.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _spf = _options.Spf with { ReceiverName = _options.AuthServId };
    }

    public async Task<MessageVerification> VerifyAsync(ReadOnlyMemory<byte> message, IPAddress clientIp, string? mailFrom, string? helo, CancellationToken cancellationToken = default)
    {
        var dns = new DnsMemo(_resolver);
        var spfTask = new SpfEvaluator(dns, _spf, _time)
            .CheckMailFromAsync(clientIp, mailFrom, helo, cancellationToken).AsTask();
        MailMessage? parsed = null;
        string? unreadable = null;
        try
        {
            parsed = MailMessage.Parse(message);
        }
        catch (MessageFormatException e)
        {
            unreadable = e.Message;
        }
        var dkimTask = parsed is null
            ? new DkimVerifier(dns, _options.Dkim, _time).VerifyAsync(message, cancellationToken)
            : new DkimVerifier(dns, _options.Dkim, _time).VerifyAsync(parsed, cancellationToken);
        var spf = await spfTask.ConfigureAwait(false);
        var dkim = await dkimTask.ConfigureAwait(false);
        var dmarc = parsed is null
            ? new DmarcOutcome { Result = DmarcResult.PermError, Reason = DmarcReason.NoAuthorDomain, Detail = $"the message cannot be read: {unreadable}" }
            : await new DmarcEvaluator(dns, _options.Dmarc).EvaluateAsync(parsed, spf, dkim, cancellationToken).ConfigureAwait(false);
        var methods = new List<AuthResultsMethod> { SpfHeaders.AuthResults(spf) };
        methods.AddRange(dkim.ToAuthResults());
        methods.Add(dmarc.ToAuthResults());
        var newline = parsed?.UsesBareLf == true ? "\n" : "\r\n";
        return new MessageVerification(spf, dkim, dmarc, AuthenticationResultsHeader.Format(_options.AuthServId, methods, newline));
    }
}
