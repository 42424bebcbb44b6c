using SenderAuth.Dkim;
using SenderAuth.Mail;
using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// Signs one outgoing message: picks the signer when the headers end (<see cref="SigningService.ChooseAsync"/>, the
/// same decision as the HTTP API), hashes body chunks as they come, and at end of message inserts the
/// DKIM-Signature field(s), passes the message unsigned, or refuses it, as the institution's policy says.
/// </summary>
internal sealed class SigningTransaction(MilterOptions options, SigningService signing, MilterPeerMap peers, ServerMetrics metrics, ILogger logger) : IMilterTransaction
{
    /// <summary>The MTA is the platform's own: it may sign for every institution, like an operator key, and do nothing else.</summary>
    private static readonly Caller Mta = new(0, "milter", null, [ApiScope.Sign]);

    private MailMessage? _headerSection;
    private SigningChoice? _choice;
    private DkimStreamingSignature? _streaming;
    private string? _fromDomain;
    private SigningRefusal? _refusal;

    /// <summary>
    /// Signing needs only the message: the MTA skips the SMTP dialogue and waits for no reply before end of message.
    /// With Milter:PeerInstitutions it also needs who is sending: the connect and MAIL steps (sent without awaiting a
    /// reply) and the macros {client_addr} and {auth_authen}.
    /// </summary>
    public static MilterTransactionFactory Factory(MilterOptions options, SigningService signing, MilterPeerMap peers, ServerMetrics metrics, ILogger logger)
    {
        var quiet = MilterSteps.NoHelo | MilterSteps.NoRecipient | MilterSteps.NoUnknown | MilterSteps.NoData
            | MilterSteps.NoReplyHeader | MilterSteps.NoReplyEndOfHeaders | MilterSteps.NoReplyBody | MilterSteps.HeaderLeadingSpace;
        var steps = peers.Enabled ? quiet | MilterSteps.NoReplyConnect | MilterSteps.NoReplyMail : quiet | MilterSteps.NoConnect | MilterSteps.NoMail;
        return new MilterTransactionFactory(MilterActions.AddHeaders, steps, () => new SigningTransaction(options, signing, peers, metrics, logger))
        {
            // The queue id stays asked for at MAIL (Postfix's default list there has it too).
            Macros = peers.Enabled ? [(MilterMacroStage.Connect, "{client_addr}"), (MilterMacroStage.Mail, "i {auth_type} {auth_authen}")] : [],
        };
    }

    public async ValueTask EndOfHeadersAsync(MailMessage headers, CancellationToken ct)
    {
        _headerSection = headers;
        string from;
        try
        {
            from = DkimSigner.FromDomain(headers);
        }
        catch (DkimSignException e)
        {
            // A message without one From domain is the sender's fault, not ours: answered at end of message, not tempfailed.
            _refusal = SigningRefusal.Of(e);
            return;
        }
        _fromDomain = from;
        _choice = await signing.ChooseAsync(from, Mta, null, options.UnknownDomainPolicy, ct).ConfigureAwait(false);
        if (_choice.Signer is { } signer)
        {
            _streaming = signer.BeginStreaming();
        }
    }

    public void Body(ReadOnlySpan<byte> chunk) => _streaming?.AppendBody(chunk);

    public async ValueTask EndOfMessageAsync(MilterEnvelope envelope, MilterReplyWriter writer, MilterNegotiation negotiation, CancellationToken ct)
    {
        if (peers.Enabled && _choice?.InstitutionId is { } owner && await peers.FindAsync(envelope, ct).ConfigureAwait(false) is { } mapping
            && mapping.InstitutionId != owner)
        {
            RefuseForeign(envelope, writer, mapping);
            return;
        }
        if (peers.Enabled && options.UnmappedPeers == MilterUnmappedPeerAction.Refuse && _choice is { InstitutionId: not null } choice
            && choice.Disposition is SignDisposition.Signed or SignDisposition.SignedWithProviderDomain
            && await peers.FindAsync(envelope, ct).ConfigureAwait(false) is null)
        {
            RefuseUnmapped(envelope, writer);
            return;
        }
        Sign(envelope, writer, negotiation);
    }

    /// <summary>A client tied to one institution sent as another's domain: that institution's key must not sign it.</summary>
    private void RefuseForeign(MilterEnvelope envelope, MilterReplyWriter writer, MilterPeerMap.Mapping mapping)
    {
        var domain = _choice!.Domain ?? _fromDomain;
        logger.LogWarning(new EventId(LogEvents.Milter + 12), "milter {QueueId}: From domain {Domain} belongs to another institution than {Institution} ({Why}, Milter:PeerInstitutions); not signed, answered {Action}",
            envelope.QueueId, domain, mapping.Code, mapping.Why, options.OnForeignDomain);
        Answer(SmtpReply(new SigningRefusal(SigningRefusalKind.ForeignDomain, $"{domain} is not a sender domain of institution {mapping.Code}, which this client sends for"), options), writer);
    }

    /// <summary>
    /// With a mapping, a client no entry ties to an institution (e.g. one that did not authenticate, under a map of
    /// AUTH identities) would otherwise have mail signed for every institution: it gets the same answer as a foreign domain.
    /// </summary>
    private void RefuseUnmapped(MilterEnvelope envelope, MilterReplyWriter writer)
    {
        // The From domain, not the d= of a provider-domain signature.
        var domain = _fromDomain;
        logger.LogWarning(new EventId(LogEvents.Milter + 13), "milter {QueueId}: client {Client} (SMTP AUTH {Auth}) matches no Milter:PeerInstitutions entry and sent as {Domain}; not signed (Milter:UnmappedPeers=refuse), answered {Action}",
            envelope.QueueId, envelope.ClientIp, envelope.AuthIdentity ?? "none", domain, options.OnForeignDomain);
        Answer(SmtpReply(new SigningRefusal(SigningRefusalKind.UnmappedPeer, $"this client is not tied to any institution, so it may not send as {domain}"), options), writer);
    }

    private void Sign(MilterEnvelope envelope, MilterReplyWriter writer, MilterNegotiation negotiation)
    {
        var refusal = _refusal ?? (_choice is null || _headerSection is null ? SigningRefusal.Unreadable("no header section") : _choice.Refusal);
        if (refusal is not null)
        {
            Refuse(refusal, envelope, writer);
            return;
        }
        var choice = _choice!;
        switch (choice.Disposition)
        {
            case SignDisposition.Signed or SignDisposition.SignedWithProviderDomain:
                IReadOnlyList<string> fields;
                try
                {
                    fields = _streaming!.Complete(_headerSection!);
                }
                catch (DkimSignException e)
                {
                    Refuse(SigningRefusal.Of(e), envelope, writer);
                    return;
                }
                // Inserted at the top, last first, so they stand in the signer's order above every other field.
                for (var i = fields.Count - 1; i >= 0; i--)
                {
                    writer.InsertHeader(0, "DKIM-Signature", MilterSession.FieldValue(fields[i], "DKIM-Signature", negotiation));
                }
                writer.Reply(MilterReply.Continue);
                signing.AfterSigning(choice, SigningChannel.Milter);
                metrics.MilterMessage("signed");
                logger.LogDebug(new EventId(LogEvents.Milter + 16), "milter {QueueId}: signed d={Domain} s={Selector}", envelope.QueueId, choice.Domain, choice.Selector);
                return;
            case SignDisposition.PassedUnsigned:
                metrics.MilterMessage("unsigned");
                logger.LogInformation(new EventId(LogEvents.Milter + 17), "milter {QueueId}: passed unsigned by policy: {Reason}", envelope.QueueId, choice.Detail);
                writer.Reply(MilterReply.Continue);
                return;
            default:
                throw new System.Diagnostics.UnreachableException($"a {choice.Disposition} choice carries no refusal");
        }
    }

    /// <summary>A refusal from the message or the policy: counted and logged by its kind, then answered.</summary>
    private void Refuse(SigningRefusal refusal, MilterEnvelope envelope, MilterReplyWriter writer)
    {
        var reply = SmtpReply(refusal, options);
        if (refusal.Kind == SigningRefusalKind.Message)
        {
            // A policy refusal was counted where it was decided (SigningService.ChooseAsync).
            metrics.SignFailed(refusal.MetricReason);
            if (reply is null)
            {
                logger.LogInformation(new EventId(LogEvents.Milter + 15), "milter {QueueId}: not signed: {Reason}", envelope.QueueId, refusal.Detail);
            }
            else
            {
                logger.LogWarning(new EventId(LogEvents.Milter + 14), "milter {QueueId}: rejected, not signed: {Reason}", envelope.QueueId, refusal.Detail);
            }
        }
        else
        {
            logger.LogInformation(new EventId(LogEvents.Milter + 18), "milter {QueueId}: rejected by policy: {Reason}", envelope.QueueId, refusal.Detail);
        }
        Answer(reply, writer);
    }

    /// <summary>Sends <paramref name="reply"/> (null: continue, the message goes on unsigned) and counts the message.</summary>
    private void Answer(string? reply, MilterReplyWriter writer)
    {
        metrics.MilterMessage(reply is null ? "unsigned" : "rejected");
        if (reply is null)
        {
            writer.Reply(MilterReply.Continue);
        }
        else
        {
            writer.ReplyCode(reply);
        }
    }

    /// <summary>
    /// The milter's one mapping of a refusal to its answer: the SMTP reply, or null to let the message through unsigned.
    /// A fault of the message passes unsigned, except an ambiguous header line under OnError=tempfail: the engine's one
    /// rule never signs it, and as the fault is in the message and permanent, holding it back is a reject (a 4xx would
    /// only repeat the same refusal until the queue gives up). A policy refusal is a reject; a client sending as
    /// another institution (or as anyone, unmapped) gets what Milter:OnForeignDomain says.
    /// </summary>
    internal static string? SmtpReply(SigningRefusal refusal, MilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        ArgumentNullException.ThrowIfNull(options);
        var text = SmtpText($"not signed: {refusal.Detail}");
        return refusal.Kind switch
        {
            SigningRefusalKind.Message => refusal.Fault == DkimSignRefusal.AmbiguousHeader && options.TempFailOnError ? "550 5.6.0 " + text : null,
            SigningRefusalKind.Policy => "550 5.7.1 " + text,
            SigningRefusalKind.ForeignDomain or SigningRefusalKind.UnmappedPeer =>
                (options.OnForeignDomain == MilterForeignDomainAction.Tempfail ? "451 4.7.1 " : "550 5.7.1 ") + text,
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, null),
        };
    }

    public void Dispose()
    {
        _streaming?.Dispose();
        _streaming = null;
    }

    /// <summary>SMTP reply text: printable ASCII on one line, bounded.</summary>
    private static string SmtpText(string text)
    {
        var clean = new string(text.Select(c => c is >= ' ' and <= '~' ? c : ' ').ToArray());
        return clean.Length > 300 ? clean[..300] : clean;
    }
}
