using SenderAuth.Dkim;

namespace SenderAuth.Server.Signing;

/// <summary>What a refusal to sign is about; decides the answer each signing interface gives.</summary>
public enum SigningRefusalKind
{
    /// <summary>The message itself (unreadable, not exactly one From address, an ambiguous header line): the sender's fault, permanent.</summary>
    Message,

    /// <summary>The From domain does not sign here and the owning institution's unsigned-mail policy (or the lack of one) refuses it.</summary>
    Policy,

    /// <summary>The milter's client is tied to another institution than the From domain's (Milter:PeerInstitutions).</summary>
    ForeignDomain,

    /// <summary>The milter's client is tied to no institution while unmapped clients are refused (Milter:UnmappedPeers=refuse).</summary>
    UnmappedPeer,
}

/// <summary>
/// A message that is not signed, and why: the typed refusal of every signing interface. <see cref="SigningService"/>
/// and the milter's signing transaction make it; each interface turns it into its answer in one place: the HTTP API
/// through <see cref="ToServiceError"/> (whose status and ProblemDetails <see cref="ErrorResponses"/> decides), the
/// milter through <c>SigningTransaction.SmtpReply</c>.
/// </summary>
/// <param name="Kind">What the refusal is about.</param>
/// <param name="Detail">The reason, for a person (problem detail, SMTP reply text, log).</param>
/// <param name="Fault">With <see cref="SigningRefusalKind.Message"/>: the engine's refusal.</param>
public sealed record SigningRefusal(SigningRefusalKind Kind, string Detail, DkimSignRefusal? Fault = null)
{
    /// <summary>A message the engine's signer refuses (<see cref="DkimSigner.FromDomain"/>, signing, the streaming signer).</summary>
    public static SigningRefusal Of(DkimSignException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(SigningRefusalKind.Message, e.Message, e.Refusal);
    }

    /// <summary>A message that cannot be read as RFC 5322 at all.</summary>
    public static SigningRefusal Unreadable(string detail) => new(SigningRefusalKind.Message, detail, DkimSignRefusal.UnreadableMessage);

    /// <summary>
    /// The kebab-case code: the engine's code of a message fault (<c>ambiguous-header</c>, <c>multiple-from</c>…, the
    /// <c>code</c> of the API's 400), otherwise the kind's (<c>policy</c>, <c>foreign-domain</c>, <c>unmapped-peer</c>).
    /// </summary>
    public string Code => Fault is { } fault ? fault.Code() : Kind switch
    {
        SigningRefusalKind.Message => DkimSignRefusal.UnreadableMessage.Code(),
        SigningRefusalKind.Policy => "policy",
        SigningRefusalKind.ForeignDomain => "foreign-domain",
        SigningRefusalKind.UnmappedPeer => "unmapped-peer",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>The reason label of the signing-failure counter: <c>ambiguous-header</c>, <c>malformed</c> or <c>policy</c>.</summary>
    public string MetricReason => Kind == SigningRefusalKind.Message
        ? Fault == DkimSignRefusal.AmbiguousHeader ? "ambiguous-header" : "malformed"
        : "policy";

    /// <summary>
    /// The HTTP API's typed error: a message fault is the caller's invalid input (400, field <c>message</c>, the
    /// engine's code); any other refusal is "not signed" (422 with the reason).
    /// </summary>
    public ServiceError ToServiceError() => Kind == SigningRefusalKind.Message
        ? new ServiceError.Invalid($"the message cannot be signed: {Detail}", "message", Code)
        : new ServiceError.NotSigned(Detail);
}
