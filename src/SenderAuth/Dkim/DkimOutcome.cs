using SenderAuth.AuthenticationResults;

namespace SenderAuth.Dkim;

/// <summary>The result of one DKIM-Signature field, with the reason and what it claims (d=, s=, i=, a=).</summary>
public sealed record DkimSignatureOutcome
{
    public required DkimResult Result { get; init; }
    public required DkimReason Reason { get; init; }
    public required string Detail { get; init; }
    public string? Domain { get; init; }
    public string? Selector { get; init; }
    public string? Identity { get; init; }
    public DkimAlgorithm? Algorithm { get; init; }
    /// <summary>The first 8 characters of b=, to tell signatures apart (RFC 6008).</summary>
    public string? SignaturePrefix { get; init; }
    public int? KeySize { get; init; }
    /// <summary>The key record says t=y: the signer is testing.</summary>
    public bool Testing { get; init; }
    /// <summary>With l=: canonical body bytes after the signed length (content anyone could have appended).</summary>
    public long UnsignedBodyBytes { get; init; }

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
public sealed record DkimVerification(IReadOnlyList<DkimSignatureOutcome> Signatures, int FromHeaderCount, bool SmuggledHeaders)
{
    /// <summary>RFC 8601: dkim=none when the message carries no signature.</summary>
    public IReadOnlyList<AuthResultsMethod> ToAuthResults() =>
        Signatures.Count == 0 ? [new AuthResultsMethod("dkim", "none")] : [.. Signatures.Select(s => s.ToAuthResults())];
}
