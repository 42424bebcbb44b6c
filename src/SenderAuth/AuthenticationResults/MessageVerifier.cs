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

    /// <summary>SPF limits and timeouts; the receiver name used in <c>%{r}</c> macros is replaced by <see cref="AuthServId"/>.</summary>
    public SpfOptions Spf { get; init; } = new();

    /// <summary>DKIM policy: minimum RSA size, rsa-sha1, l=, clock skew, signatures per message.</summary>
    public DkimVerifierOptions Dkim { get; init; } = new();

    /// <summary>How DMARC policies and organizational domains are found (tree walk or Public Suffix List).</summary>
    public DmarcOptions Dmarc { get; init; } = new();
}

/// <summary>Everything a receiver concludes about one message, and the header that says it.</summary>
/// <param name="Spf">The SPF outcome for MAIL FROM (or HELO when MAIL FROM was empty).</param>
/// <param name="Dkim">Every DKIM signature's outcome.</param>
/// <param name="Dmarc">The DMARC verdict, computed from the two above.</param>
/// <param name="AuthenticationResults">The Authentication-Results field value (RFC 8601), without the field name, ready to prepend.</param>
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

    /// <summary>A verifier for any number of concurrent messages; options are validated here.</summary>
    /// <param name="resolver">Where every DNS answer comes from; each message shares its answers across SPF, DKIM and DMARC.</param>
    /// <param name="options">authserv-id and per-protocol options; defaults when null.</param>
    /// <param name="timeProvider">Clock for DKIM t= and x= checks and SPF's <c>%{t}</c>; the system's by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
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

    /// <summary>
    /// Runs SPF on <paramref name="mailFrom"/> (or <paramref name="helo"/> when MAIL FROM is empty), verifies every DKIM
    /// signature of <paramref name="message"/>, evaluates DMARC on those outcomes, and writes the Authentication-Results
    /// field value. DNS and message failures are results (temperror, permerror), never exceptions.
    /// </summary>
    /// <param name="message">The whole message as received: header section, blank line, body.</param>
    /// <param name="clientIp">The connecting SMTP client's address.</param>
    /// <param name="mailFrom">The SMTP MAIL FROM address, without or with angle brackets; null or empty for a bounce.</param>
    /// <param name="helo">The HELO/EHLO name the client gave.</param>
    /// <param name="cancellationToken">Cancels the DNS work; the only source of exceptions.</param>
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
