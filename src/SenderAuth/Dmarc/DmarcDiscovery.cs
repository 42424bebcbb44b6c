using SenderAuth.Dns;

namespace SenderAuth.Dmarc;

/// <summary>What a DMARC lookup found: the record and where, or a DNS failure, and the queries it took.</summary>
/// <param name="Record">The DMARC record found; null when none (or on a DNS failure).</param>
/// <param name="Domain">Where it was found: the domain itself or an ancestor.</param>
/// <param name="TemporaryFailure">True when a query failed (timeout, SERVFAIL): no conclusion may be drawn.</param>
/// <param name="Queried">The names queried, in order.</param>
public sealed record DmarcLookup(DmarcRecord? Record, string? Domain, bool TemporaryFailure, IReadOnlyList<string> Queried);

/// <summary>
/// RFC 9989 §4.10: policy discovery and the organizational domain by the DNS tree walk (at most 8 queries,
/// psd= honoured), or by a Public Suffix List when configured (RFC 7489).
/// </summary>
public sealed class DmarcDiscovery
{
    private readonly IDnsResolver _resolver;
    private readonly DmarcOptions _options;

    /// <summary>Discovery through <paramref name="resolver"/>; options are validated here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DmarcDiscovery(IDnsResolver resolver, DmarcOptions? options = null)
    {
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _options = options ?? new DmarcOptions();
        _options.Validate();
    }

    /// <summary>The policy record for an author domain: at the domain itself, else the first found walking up.</summary>
    public async Task<DmarcLookup> FindPolicyAsync(string authorDomain, CancellationToken cancellationToken = default)
    {
        var queried = new List<string>();
        foreach (var target in WalkTargets(DnsName.Normalize(authorDomain)))
        {
            var (record, failed) = await LookupAsync(target, queried, cancellationToken).ConfigureAwait(false);
            if (failed)
            {
                return new DmarcLookup(null, target, true, queried);
            }
            if (record is not null)
            {
                return new DmarcLookup(record, target, false, queried);
            }
        }
        return new DmarcLookup(null, null, false, queried);
    }

    /// <summary>The organizational domain (RFC 9989 §4.10.2, or the PSL when configured); null on DNS failure.</summary>
    public async Task<string?> OrganizationalDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        domain = DnsName.Normalize(domain);
        if (_options.PublicSuffixList is { } psl)
        {
            return psl.OrganizationalDomain(domain);
        }
        var queried = new List<string>();
        string? shortestWithRecord = null;
        foreach (var target in WalkTargets(domain))
        {
            var (record, failed) = await LookupAsync(target, queried, cancellationToken).ConfigureAwait(false);
            if (failed)
            {
                return null;
            }
            if (record is not null)
            {
                if (record.PublicSuffixDomain == false)
                {
                    return target;
                }
                if (record.PublicSuffixDomain == true && target != domain)
                {
                    // One label below the public suffix domain, on the path from the starting domain.
                    return LabelBelow(domain, target);
                }
                shortestWithRecord = target;
            }
        }
        return shortestWithRecord ?? domain;
    }

    private static string LabelBelow(string domain, string ancestor)
    {
        var rest = domain[..^(ancestor.Length + 1)];
        var dot = rest.LastIndexOf('.');
        return (dot < 0 ? rest : rest[(dot + 1)..]) + "." + ancestor;
    }

    /// <summary>The domain, then (from at most 7 labels) each parent up to the top-level label (RFC 9989 §4.10).</summary>
    private IEnumerable<string> WalkTargets(string domain)
    {
        var labels = domain.Split('.');
        var count = 0;
        yield return domain;
        count++;
        var start = labels.Length >= 8 ? labels.Length - 7 : 1;
        for (var i = start; i < labels.Length && count < _options.MaxTreeWalkQueries; i++, count++)
        {
            yield return string.Join('.', labels[i..]);
        }
    }

    /// <summary>One _dmarc query: exactly one v=DMARC1 record counts; several are discarded (RFC 9989 §4.10).</summary>
    private async Task<(DmarcRecord? Record, bool Failed)> LookupAsync(string domain, List<string> queried, CancellationToken ct)
    {
        var name = "_dmarc." + domain;
        queried.Add(name);
        var answer = await _resolver.QueryAsync(name, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            return (null, true);
        }
        var records = answer.Of<TxtRecord>().Select(t => t.Text).Where(DmarcRecord.IsDmarcRecord).ToList();
        if (records.Count != 1)
        {
            return (null, false);
        }
        var record = DmarcRecord.Parse(records[0]);
        // A record without a usable p= and without a valid rua= is ignored (RFC 9989 §4.7).
        return (record is not null && (!record.PolicyMissing || record.AggregateReportUris.Count > 0) ? record : null, false);
    }
}
