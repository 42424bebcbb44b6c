using SenderAuth.AuthenticationResults;

namespace SenderAuth.Dmarc;

/// <summary>DMARC method results (RFC 8601 §2.7.4, RFC 9989 §11).</summary>
public enum DmarcResult
{
    /// <summary>No DMARC policy applies: no record for the author domain or its organizational domain.</summary>
    None,
    /// <summary>SPF or DKIM passed for a domain aligned with the From domain.</summary>
    Pass,
    /// <summary>A policy exists and neither SPF nor DKIM passed aligned; apply <see cref="DmarcOutcome.AppliedPolicy"/>.</summary>
    Fail,
    /// <summary>The policy could not be looked up (DNS timeout or SERVFAIL); try again later.</summary>
    TempError,
    /// <summary>The message has no usable author (no From, several From fields, addresses or domains, an ambiguous From): it cannot pass.</summary>
    PermError,
}

/// <summary>Why DMARC ended as it did.</summary>
public enum DmarcReason
{
    /// <summary>SPF or DKIM passed for an aligned domain.</summary>
    Aligned,
    /// <summary>Neither passed aligned.</summary>
    NotAligned,
    /// <summary>No usable DMARC record for the author domain or above it.</summary>
    NoPolicy,
    /// <summary>The policy (or an organizational domain) could not be looked up.</summary>
    DnsFailure,
    /// <summary>No From field, or no address could be read from it: there is no author domain to check.</summary>
    NoAuthorDomain,
    /// <summary>From fields (or one From with several addresses) name more than one domain.</summary>
    MultipleAuthorDomains,
    /// <summary>More than one From field, whatever their domains (RFC 5322 §3.6 allows one).</summary>
    MultipleFromFields,
    /// <summary>One From field with several addresses of one domain.</summary>
    MultipleAuthorAddresses,
    /// <summary>A header line parsers read differently touches From (<see cref="Mail.HeaderAmbiguity"/>).</summary>
    AmbiguousFrom,
}

/// <summary>The one mapping of DMARC results, policies and reasons to header and JSON words; never <c>ToString()</c>.</summary>
public static class DmarcTokens
{
    /// <summary>The RFC 8601 result token: <c>pass</c>, <c>fail</c>, <c>none</c>, <c>temperror</c>, <c>permerror</c>.</summary>
    public static string Token(this DmarcResult r) => r switch
    {
        DmarcResult.None => "none",
        DmarcResult.Pass => "pass",
        DmarcResult.Fail => "fail",
        DmarcResult.TempError => "temperror",
        DmarcResult.PermError => "permerror",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    /// <summary>The p= token: <c>none</c>, <c>quarantine</c> or <c>reject</c>.</summary>
    public static string Token(this DmarcPolicy p) => p switch
    {
        DmarcPolicy.None => "none",
        DmarcPolicy.Quarantine => "quarantine",
        DmarcPolicy.Reject => "reject",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>The stable kebab-case reason code for JSON and logs.</summary>
    public static string Code(this DmarcReason r) => r switch
    {
        DmarcReason.Aligned => "aligned",
        DmarcReason.NotAligned => "not-aligned",
        DmarcReason.NoPolicy => "no-policy",
        DmarcReason.DnsFailure => "dns-failure",
        DmarcReason.NoAuthorDomain => "no-author-domain",
        DmarcReason.MultipleAuthorDomains => "multiple-author-domains",
        DmarcReason.MultipleFromFields => "multiple-from-fields",
        DmarcReason.MultipleAuthorAddresses => "multiple-author-addresses",
        DmarcReason.AmbiguousFrom => "ambiguous-from",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };
}

/// <summary>
/// The DMARC verdict for one message: the result, the policy the domain requested (p, sp or np as applicable),
/// the policy to apply (after t=y / pct), and what aligned.
/// </summary>
public sealed record DmarcOutcome
{
    /// <summary>The RFC 8601 result.</summary>
    public required DmarcResult Result { get; init; }
    /// <summary>Why: aligned, not aligned, no policy, DNS failure, no or several author domains.</summary>
    public required DmarcReason Reason { get; init; }
    /// <summary>One sentence for a human saying what aligned or why not.</summary>
    public required string Detail { get; init; }
    /// <summary>The RFC 5322.From domain(s); empty when none could be read.</summary>
    public IReadOnlyList<string> AuthorDomains { get; init; } = [];
    /// <summary>The author domain when there is exactly one; null otherwise (then the result is permerror).</summary>
    public string? AuthorDomain => AuthorDomains.Count == 1 ? AuthorDomains[0] : null;
    /// <summary>Where the policy record was found (the author domain or an ancestor).</summary>
    public string? PolicyDomain { get; init; }
    /// <summary>The policy record that applied; null when none was found.</summary>
    public DmarcRecord? Record { get; init; }
    /// <summary>Which tag supplied the policy: p, sp or np.</summary>
    public string? PolicyTag { get; init; }
    /// <summary>The policy the record asks for this message: p, or sp for a subdomain, or np for a non-existent one.</summary>
    public DmarcPolicy RequestedPolicy { get; init; }
    /// <summary>What the receiver should do: none on pass; the requested policy on fail, one step softer when testing.</summary>
    public DmarcPolicy AppliedPolicy { get; init; }
    /// <summary>The record asks for testing (t=y, or pct below 100 in an RFC 7489 record): the applied policy is one step softer.</summary>
    public bool Testing { get; init; }
    /// <summary>SPF passed for a domain aligned with the author domain under aspf.</summary>
    public bool SpfAligned { get; init; }
    /// <summary>The domain SPF authenticated (MAIL FROM or HELO); null when SPF did not pass.</summary>
    public string? SpfDomain { get; init; }
    /// <summary>A DKIM signature passed for a d= aligned with the author domain under adkim.</summary>
    public bool DkimAligned { get; init; }
    /// <summary>d= of the first passing, aligned DKIM signature.</summary>
    public string? DkimDomain { get; init; }
    /// <summary>The author domain's organizational domain, used for relaxed alignment and for the policy lookup.</summary>
    public string? OrganizationalDomain { get; init; }
    /// <summary>True when the author domain does not exist in DNS (np= applies).</summary>
    public bool AuthorDomainNonExistent { get; init; }
    /// <summary>With reason <c>ambiguous-from</c>: the header line that touches From; null otherwise.</summary>
    public Mail.HeaderAmbiguity? Ambiguity { get; init; }

    /// <summary>
    /// The policy after the record's options are processed: p, sp or np as applicable, then one step softer when
    /// t=y. This is what <c>policy.dmarc</c> reports ("evaluated DMARC policy … after policy options have been
    /// processed", the property's registration), on pass and on fail alike.
    /// </summary>
    public DmarcPolicy EvaluatedPolicy => Testing ? Softer(RequestedPolicy) : RequestedPolicy;

    /// <summary>t=y: one step below the requested policy (reject → quarantine → none).</summary>
    internal static DmarcPolicy Softer(DmarcPolicy p) => p switch
    {
        DmarcPolicy.Reject => DmarcPolicy.Quarantine,
        _ => DmarcPolicy.None,
    };

    /// <summary>
    /// <c>dmarc=pass (p=reject dis=none) header.from=example.com policy.dmarc=reject</c>; with t=y the comment keeps
    /// the published p= and policy.dmarc gives the evaluated one (<c>p=reject dis=quarantine t=y … policy.dmarc=quarantine</c>).
    /// </summary>
    public AuthResultsMethod ToAuthResults()
    {
        var comment = Record is null ? Detail : $"p={RequestedPolicy.Token()} dis={AppliedPolicy.Token()}{(Testing ? " t=y" : string.Empty)}; {Detail}";
        var props = new List<(string, string, string)>();
        if (AuthorDomains.Count > 0)
        {
            props.Add(("header", "from", string.Join(',', AuthorDomains)));
        }
        if (Record is not null)
        {
            props.Add(("policy", "dmarc", EvaluatedPolicy.Token()));
        }
        return new AuthResultsMethod("dmarc", Result.Token()) { Comment = comment, Properties = props };
    }
}
