using SenderAuth.Dkim;
using SenderAuth.Mail;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth dkim verify --json</c> (field names are a public contract).</summary>
internal sealed record DkimVerifyView(
    IReadOnlyList<DkimSignatureView> Signatures, int FromHeaders, IReadOnlyList<AmbiguityView> Ambiguities, string AuthenticationResults)
{
    public static DkimVerifyView From(DkimVerification v) => new(
        [.. v.Signatures.Select(DkimSignatureView.From)], v.FromHeaderCount, [.. v.Ambiguities.Select(AmbiguityView.From)],
        string.Join("; ", v.ToAuthResults()));
}

/// <summary>One signature's outcome; also the <c>dkim</c> list of <c>verify --json</c>. Enums are written by the contract's mappings.</summary>
internal sealed record DkimSignatureView(
    DkimResult Result, DkimReason Reason, string Detail, string? Domain, string? Selector, string? Identity, DkimAlgorithm? Algorithm,
    int? KeyBits, bool Testing, long UnsignedBodyBytes, AmbiguityView? Ambiguity, string AuthenticationResults)
{
    public static DkimSignatureView From(DkimSignatureOutcome s) => new(
        s.Result, s.Reason, s.Detail, s.Domain, s.Selector, s.Identity, s.Algorithm, s.KeySize, s.Testing, s.UnsignedBodyBytes,
        s.Ambiguity is { } a ? AmbiguityView.From(a) : null, s.ToAuthResults().ToString());
}

/// <summary>One ambiguous header line: its reason code, where it is, and what it touches.</summary>
internal sealed record AmbiguityView(HeaderAmbiguityReason Reason, int Line, int Offset, string? Follows, string? ReadAs, string? Character, string Detail)
{
    public static AmbiguityView From(HeaderAmbiguity a) => new(a.Reason, a.Line, a.Offset, a.Follows, a.ReadAs, a.Character, a.Describe());
}
