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
/// Author-domain policy (RFC 9989, RFC 7489 §6.6.1): DMARC passes only a message with exactly one From field holding
/// exactly one address, with no ambiguous header line touching From (<see cref="MailMessage.Ambiguities"/>).
/// Everything else is permerror and never passes: no From or no address (<c>no-author-domain</c>), an ambiguous From
/// (<c>ambiguous-from</c>), several From fields (<c>multiple-from-fields</c>), several domains
/// (<c>multiple-author-domains</c>) or several addresses of one domain (<c>multiple-author-addresses</c>).
/// Why stricter than evaluating an identical-domain list: DMARC's promise is about the domain a reader sees, and with
/// several From fields, several addresses or a line some clients fold into From, which one a client shows is the
/// client's choice (Chen et al., "Composition Kills", USENIX Security 2020: all 10 providers and 19 clients tested
/// were open to such attacks). RFC 5322 §3.6 allows one From field; RFC 7489 §6.6.1, like its successor RFC 9989,
/// lets a receiver decline mail without exactly one author rather than evaluate each domain. The policy applied on
/// such a permerror is the strictest any author domain publishes, in any reading of an ambiguous From, so a domain's
/// p=reject still reaches the receiver.
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
        var addresses = 0;
        foreach (var from in message.All("From"))
        {
            fromFields++;
            var mailboxes = MailboxList.Parse(from.Value, out _);
            foreach (var m in mailboxes ?? [])
            {
                addresses++;
                domains.Add(DnsName.Normalize(m.Domain));
            }
        }
        var ambiguity = message.AmbiguityTouching(["From"]);
        if (fromFields == 0 && ambiguity is null)
        {
            return new DmarcOutcome { Result = DmarcResult.PermError, Reason = DmarcReason.NoAuthorDomain, Detail = "no-author-domain: the message has no From field" };
        }
        // The author-domain policy of the remarks, in this order: the most telling reason first.
        var refusal = ambiguity is not null
            ? (DmarcReason.AmbiguousFrom, $"{ambiguity.Describe()}; a mail client may show another author")
            : fromFields > 1
                ? (DmarcReason.MultipleFromFields, $"the message has {fromFields} From fields (RFC 5322 allows one); a reader could be shown any of them")
                : domains.Count == 0
                    ? (DmarcReason.NoAuthorDomain, "no address could be read from the From field")
                    : domains.Count > 1
                        ? (DmarcReason.MultipleAuthorDomains, $"the From field names {domains.Count} domains ({string.Join(", ", domains)}); a reader could be shown any of them")
                        : addresses > 1
                            ? (DmarcReason.MultipleAuthorAddresses, $"the From field holds {addresses} addresses; DMARC passes only one author")
                            : ((DmarcReason, string)?)null;
        if (refusal is { } r)
        {
            if (ambiguity is not null)
            {
                // Every reading counts for the policy to apply: what a client that folds or splits the line sees too.
                foreach (var d in OtherReadings(message))
                {
                    domains.Add(DnsName.Normalize(d));
                }
            }
            return await RefusedAsync(r.Item1, r.Item2, [.. domains], ambiguity, cancellationToken).ConfigureAwait(false);
        }
        return await EvaluateAsync(domains.Min!, spf, dkim, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// The author domains other parsers may read from a message whose From is ambiguous: each ambiguous line touching
    /// From read as an address list on its own (after a "name:" a lenient parser sees), every field split at each bare
    /// CR (each CR is an ambiguity of its own), and each piece of a From value cut at a bare CR. Only for choosing the
    /// strictest policy of a refused message; never for a pass.
    /// </summary>
    private static IEnumerable<string> OtherReadings(MailMessage message)
    {
        var raw = message.Raw.Span;
        var texts = new List<string>();
        foreach (var a in message.Ambiguities)
        {
            if (!a.Touches("From"))
            {
                continue;
            }
            // The piece a reader that ends lines at a bare CR sees: from the line (past its leading CR) to the next CR or LF.
            var line = raw[a.Offset..];
            line = line.Length > 0 && line[0] == '\r' ? line[1..] : line;
            var end = line.IndexOfAny((byte)'\r', (byte)'\n');
            line = end < 0 ? line : line[..end];
            var text = System.Text.Unicode.Utf8.IsValid(line) ? System.Text.Encoding.UTF8.GetString(line) : System.Text.Encoding.Latin1.GetString(line);
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            texts.Add(a.ReadAs is not null && colon >= 0 ? text[(colon + 1)..] : text);
        }
        foreach (var from in message.All("From"))
        {
            texts.AddRange(from.Value.Split('\r'));
        }
        foreach (var text in texts)
        {
            var trimmed = text.Trim().TrimStart(',').Trim(' ', '\t', '\r', '\v', '\f', '\u00a0', '\u2028', '\u2029', '\u0085');
            foreach (var m in MailboxList.Parse(trimmed, out _) ?? [])
            {
                yield return m.Domain;
            }
        }
    }

    /// <summary>A permerror that never passes, with the strictest policy any readable author domain publishes.</summary>
    private async Task<DmarcOutcome> RefusedAsync(DmarcReason reason, string detail, IReadOnlyList<string> domains, HeaderAmbiguity? ambiguity, CancellationToken ct)
    {
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
            Reason = reason,
            // The code leads the sentence, so the Authentication-Results comment carries it too.
            Detail = $"{reason.Code()}: {detail}",
            AuthorDomains = domains,
            RequestedPolicy = strictest,
            AppliedPolicy = strictest,
            Ambiguity = ambiguity,
        };
    }
}
