using SenderAuth.AuthenticationResults;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>The result of one DKIM-Signature field, with the reason and what it claims (d=, s=, i=, a=).</summary>
public sealed record DkimSignatureOutcome
{
    /// <summary>The RFC 8601 result for this signature.</summary>
    public required DkimResult Result { get; init; }
    /// <summary>Why it got that result; one stable code per check.</summary>
    public required DkimReason Reason { get; init; }
    /// <summary>One sentence for a human, naming the key or tag concerned.</summary>
    public required string Detail { get; init; }
    /// <summary>The signing domain (d=); null when the field was too malformed to read it.</summary>
    public string? Domain { get; init; }
    /// <summary>The selector (s=); the key was looked up at <c>s._domainkey.d</c>.</summary>
    public string? Selector { get; init; }
    /// <summary>The agent or user identifier (i=), <c>@d</c> when the signature has none.</summary>
    public string? Identity { get; init; }
    /// <summary>The signature algorithm (a=); null when it could not be read.</summary>
    public DkimAlgorithm? Algorithm { get; init; }
    /// <summary>The first 8 characters of b=, to tell signatures apart (RFC 6008).</summary>
    public string? SignaturePrefix { get; init; }
    /// <summary>Bits of the verifying key (RSA modulus, 256 for Ed25519); null when no key was fetched.</summary>
    public int? KeySize { get; init; }
    /// <summary>The key record says t=y: the signer is testing.</summary>
    public bool Testing { get; init; }
    /// <summary>With l=: canonical body bytes after the signed length (content anyone could have appended).</summary>
    public long UnsignedBodyBytes { get; init; }
    /// <summary>With reason <c>ambiguous-header</c>: the header line that touches a signed field; null otherwise.</summary>
    public HeaderAmbiguity? Ambiguity { get; init; }

    /// <summary>The RFC 8601 method result: <c>dkim=pass header.d=… header.i=… header.s=… header.a=… header.b=…</c>.</summary>
    public AuthResultsMethod ToAuthResults()
    {
        var props = new List<(string, string, string)>();
        if (Domain is not null)
        {
            props.Add(("header", "d", Domain));
        }
        if (Identity is not null)
        {
            props.Add(("header", "i", Identity));
        }
        if (Selector is not null)
        {
            props.Add(("header", "s", Selector));
        }
        if (Algorithm is { } a)
        {
            props.Add(("header", "a", DkimSignature.AlgorithmToken(a)));
        }
        if (SignaturePrefix is not null)
        {
            props.Add(("header", "b", SignaturePrefix));
        }
        var comment = Result == DkimResult.Pass ? (KeySize is { } bits ? $"{bits}-bit key" : null) : Detail;
        if (Testing)
        {
            comment = (comment is null ? string.Empty : comment + "; ") + "key in testing mode";
        }
        return new AuthResultsMethod("dkim", Result.Token()) { Comment = comment, Properties = props };
    }
}

/// <summary>Every signature of a message, plus what the verifier saw of its From header(s).</summary>
/// <param name="Signatures">One outcome per DKIM-Signature field, in header order; empty for an unsigned message.</param>
/// <param name="FromHeaderCount">How many From fields the message has; with more than one, a verifying signature is result policy
/// (<c>multiple-from</c>), since a reader may be shown the unsigned one.</param>
/// <param name="Ambiguities">Every header line parsers read differently (<see cref="MailMessage.Ambiguities"/>); a signature
/// over a field one of them touches is permerror <c>ambiguous-header</c>. Security: such a line may show a reader a
/// From that was not signed.</param>
public sealed record DkimVerification(IReadOnlyList<DkimSignatureOutcome> Signatures, int FromHeaderCount, IReadOnlyList<HeaderAmbiguity> Ambiguities)
{
    /// <summary>True when the message has at least one ambiguous header line (whether or not a signature covers it).</summary>
    public bool Ambiguous => Ambiguities.Count > 0;

    /// <summary>RFC 8601: dkim=none when the message carries no signature.</summary>
    public IReadOnlyList<AuthResultsMethod> ToAuthResults() =>
        Signatures.Count == 0 ? [new AuthResultsMethod("dkim", "none")] : [.. Signatures.Select(s => s.ToAuthResults())];
}
