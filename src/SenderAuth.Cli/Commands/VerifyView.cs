using SenderAuth.AuthenticationResults;
using SenderAuth.Dmarc;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth verify --json</c> (field names are a public contract): SPF as <c>spf --json</c>, DKIM as <c>dkim verify --json</c>.</summary>
internal sealed record VerifyView(
    SpfView Spf, IReadOnlyList<DkimSignatureView> Dkim, DmarcOutcomeView Dmarc, IReadOnlyList<AmbiguityView> Ambiguities, string AuthenticationResults)
{
    public static VerifyView From(MessageVerification r) => new(
        SpfView.From(r.Spf, "receiver"), [.. r.Dkim.Signatures.Select(DkimSignatureView.From)], DmarcOutcomeView.From(r.Dmarc),
        [.. r.Dkim.Ambiguities.Select(AmbiguityView.From)], r.AuthenticationResults);
}

/// <summary>The DMARC part of <see cref="VerifyView"/>; <c>requestedPolicy</c> is null when no record was found.</summary>
internal sealed record DmarcOutcomeView(
    DmarcResult Result, DmarcReason Reason, string Detail, IReadOnlyList<string> AuthorDomains, string? PolicyDomain, string? Record,
    string? PolicyTag, DmarcPolicy? RequestedPolicy, DmarcPolicy AppliedPolicy, bool Testing, bool SpfAligned, string? SpfDomain,
    bool DkimAligned, string? DkimDomain, bool AuthorDomainNonExistent, AmbiguityView? Ambiguity)
{
    public static DmarcOutcomeView From(DmarcOutcome d) => new(
        d.Result, d.Reason, d.Detail, d.AuthorDomains, d.PolicyDomain, d.Record?.Text, d.PolicyTag,
        d.Record is null ? null : d.RequestedPolicy, d.AppliedPolicy, d.Testing, d.SpfAligned, d.SpfDomain, d.DkimAligned, d.DkimDomain,
        d.AuthorDomainNonExistent, d.Ambiguity is { } a ? AmbiguityView.From(a) : null);
}
