using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.Dmarc;

/// <summary>
/// DMARC evaluation (RFC 9989 §4.10): takes the SPF and DKIM outcomes as inputs (it never re-runs them),
/// finds the author domain's policy, checks alignment and says which policy to apply.
/// </summary>
/// <remarks>
/// Messages without a readable From, or whose From fields name several domains, are permerror and never pass:
/// a receiver cannot tell which domain a reader will see. Several From fields naming one domain are evaluated
/// for that domain.
/// </remarks>
public sealed class DmarcEvaluator
{
    private readonly IDnsResolver _resolver;
    private readonly DmarcDiscovery _discovery;

    /// <summary>An evaluator asking <paramref name="resolver"/> for policies; options are validated here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DmarcEvaluator(IDnsResolver resolver, DmarcOptions? options = null)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _discovery = new DmarcDiscovery(resolver, options);
    }

    /// <summary>The policy discovery this evaluator uses, for callers that need the organizational domain too.</summary>
    public DmarcDiscovery Discovery => _discovery;

    /// <summary>Evaluates a parsed message given its SPF (MAIL FROM or HELO) and DKIM outcomes.</summary>
    public async Task<DmarcOutcome> EvaluateAsync(MailMessage message, SpfOutcome? spf, DkimVerification? dkim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var domains = new SortedSet<string>(StringComparer.Ordinal);
        var fromFields = 0;
        foreach (var from in message.All("From"))
        {
            fromFields++;
            var mailboxes = MailboxList.Parse(from.Value, out _);
            foreach (var m in mailboxes ?? [])
            {
                domains.Add(DnsName.Normalize(m.Domain));
            }
        }
        if (domains.Count == 0)
        {
            return new DmarcOutcome
            {
                Result = DmarcResult.PermError,
                Reason = DmarcReason.NoAuthorDomain,
                Detail = fromFields == 0 ? "the message has no From field" : "no address could be read from the From field",
            };
        }
        if (domains.Count > 1)
        {
            return await MultipleDomainsAsync([.. domains], cancellationToken).ConfigureAwait(false);
        }
        var outcome = await EvaluateAsync(domains.Min!, spf, dkim, cancellationToken).ConfigureAwait(false);
        return fromFields > 1 ? outcome with { Detail = $"{outcome.Detail}; note: {fromFields} From fields" } : outcome;
    }

    /// <summary>Evaluates one author domain.</summary>
    public async Task<DmarcOutcome> EvaluateAsync(string authorDomain, SpfOutcome? spf, DkimVerification? dkim, CancellationToken cancellationToken = default)
    {
        authorDomain = DnsName.Normalize(authorDomain);
        var lookup = await _discovery.FindPolicyAsync(authorDomain, cancellationToken).ConfigureAwait(false);
        var baseOutcome = new DmarcOutcome { Result = DmarcResult.None, Reason = DmarcReason.NoPolicy, Detail = string.Empty, AuthorDomains = [authorDomain] };
        if (lookup.TemporaryFailure)
        {
            return baseOutcome with { Result = DmarcResult.TempError, Reason = DmarcReason.DnsFailure, Detail = $"the DMARC lookup at _dmarc.{lookup.Domain} failed" };
        }
        if (lookup.Record is not { } record)
        {
            return baseOutcome with { Detail = $"no DMARC record for {authorDomain} or its parents ({lookup.Queried.Count} queries)" };
        }

        var spfDomain = spf is { Result: SpfResult.Pass } ? DnsName.Normalize(spf.Domain) : null;
        var (spfAligned, spfError) = spfDomain is null ? (false, false) : await AlignedAsync(authorDomain, spfDomain, record.SpfAlignment, cancellationToken).ConfigureAwait(false);
        string? dkimDomain = null;
        var dkimError = false;
        foreach (var s in dkim?.Signatures ?? [])
        {
            if (s.Result != DkimResult.Pass || s.Domain is null)
            {
                continue;
            }
            var (aligned, error) = await AlignedAsync(authorDomain, s.Domain, record.DkimAlignment, cancellationToken).ConfigureAwait(false);
            dkimError |= error;
            if (aligned)
            {
                dkimDomain = s.Domain;
                break;
            }
        }
        var (tag, requested, nonExistent) = await RequestedPolicyAsync(authorDomain, lookup.Domain!, record, cancellationToken).ConfigureAwait(false);
        var outcome = baseOutcome with
        {
            PolicyDomain = lookup.Domain,
            Record = record,
            PolicyTag = tag,
            RequestedPolicy = requested,
            Testing = record.Testing,
            SpfAligned = spfAligned,
            SpfDomain = spf?.Domain,
            DkimAligned = dkimDomain is not null,
            DkimDomain = dkimDomain,
            AuthorDomainNonExistent = nonExistent,
        };
        if (spfAligned || dkimDomain is not null)
        {
            var how = spfAligned && dkimDomain is not null ? "SPF and DKIM" : spfAligned ? $"SPF ({spfDomain})" : $"DKIM (d={dkimDomain})";
            return outcome with { Result = DmarcResult.Pass, Reason = DmarcReason.Aligned, Detail = $"{how} aligned with {authorDomain}", AppliedPolicy = DmarcPolicy.None };
        }
        if (spfError || dkimError)
        {
            return outcome with { Result = DmarcResult.TempError, Reason = DmarcReason.DnsFailure, Detail = "the organizational domain needed for relaxed alignment could not be looked up" };
        }
        var applied = record.Testing ? DmarcOutcome.Softer(requested) : requested;
        return outcome with
        {
            Result = DmarcResult.Fail,
            Reason = DmarcReason.NotAligned,
            AppliedPolicy = applied,
            Detail = $"neither SPF nor DKIM passed aligned with {authorDomain}{(spf is null ? string.Empty : $"; SPF was {spf.Result.Token()} for {spf.Domain}")}",
        };
    }

    /// <summary>Strict: the same name. Relaxed: the same organizational domain (tree walk or PSL).</summary>
    public async Task<(bool Aligned, bool DnsError)> AlignedAsync(string authorDomain, string other, DmarcAlignmentMode mode, CancellationToken ct)
    {
        other = DnsName.Normalize(other);
        if (other == authorDomain)
        {
            return (true, false);
        }
        if (mode == DmarcAlignmentMode.Strict)
        {
            return (false, false);
        }
        var a = await _discovery.OrganizationalDomainAsync(authorDomain, ct).ConfigureAwait(false);
        var b = await _discovery.OrganizationalDomainAsync(other, ct).ConfigureAwait(false);
        return a is null || b is null ? (false, true) : (a == b, false);
    }

    /// <summary>p at the author domain; sp above it; np when the author domain does not exist (RFC 9989 §4.7).</summary>
    private async Task<(string Tag, DmarcPolicy Policy, bool NonExistent)> RequestedPolicyAsync(string authorDomain, string policyDomain, DmarcRecord record, CancellationToken ct)
    {
        if (policyDomain == authorDomain)
        {
            return ("p", record.Policy, false);
        }
        var exists = await _resolver.QueryAsync(authorDomain, DnsRecordType.A, ct).ConfigureAwait(false);
        if (exists.Status == DnsStatus.NxDomain && record.NonExistentPolicy is { } np)
        {
            return ("np", np, true);
        }
        return record.SubdomainPolicy is { } sp ? ("sp", sp, exists.Status == DnsStatus.NxDomain) : ("p", record.Policy, exists.Status == DnsStatus.NxDomain);
    }

    private async Task<DmarcOutcome> MultipleDomainsAsync(IReadOnlyList<string> domains, CancellationToken ct)
    {
        // Never a pass: apply the strictest policy any of the domains publishes.
        var strictest = DmarcPolicy.None;
        foreach (var d in domains)
        {
            var lookup = await _discovery.FindPolicyAsync(d, ct).ConfigureAwait(false);
            if (lookup.Record is { } r && r.Policy > strictest)
            {
                strictest = r.Policy;
            }
        }
        return new DmarcOutcome
        {
            Result = DmarcResult.PermError,
            Reason = DmarcReason.MultipleAuthorDomains,
            Detail = $"the From field(s) name {domains.Count} domains ({string.Join(", ", domains)}); a reader could be shown any of them",
            AuthorDomains = domains,
            RequestedPolicy = strictest,
            AppliedPolicy = strictest,
        };
    }
}
