using SenderAuth.Dns;

namespace SenderAuth.Spf;

/// <summary>
/// Explains an SPF policy the way a receiver will meet it: every term, includes and redirects expanded, the
/// lookup count after expansion, void lookups of literal names, and the usual mistakes (RFC 7208 §4.6.4 limits,
/// <c>+all</c>, <c>ptr</c>, the deprecated type-99 record, two records, unreachable includes).
/// </summary>
/// <remarks>
/// Terms whose domain-spec holds macros depend on the sender and are counted, but not resolved.
/// </remarks>
public sealed class SpfLinter(IDnsResolver resolver, SpfOptions? options = null)
{
    private const int MaxDepth = 12;

    /// <summary>
    /// Most DNS queries one lint makes for includes, redirects and void-lookup checks: 100, ten times what a receiver
    /// may make. Includes fan out, so without it a tree of records (a wildcard-answering server makes one for any
    /// name) costs exponentially many queries up to <see cref="MaxDepth"/>; past it, a policy already far over the
    /// receivers' 10 lookups is reported as such, and as <c>lint-truncated</c>.
    /// </summary>
    public const int MaxQueries = 100;
    private readonly SpfOptions _options = options ?? new SpfOptions();

    /// <summary>Lints the policy published at <paramref name="domain"/>.</summary>
    public async Task<SpfLintReport> LintDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        var findings = new List<Finding>();
        domain = DnsName.Normalize(domain);
        var record = await FindRecordAsync(domain, findings, top: true, cancellationToken).ConfigureAwait(false);
        var type99 = await resolver.QueryAsync(domain, DnsRecordType.Spf, cancellationToken).ConfigureAwait(false);
        if (type99.Of<TxtRecord>().Any(t => SpfParser.IsSpfRecord(t.Text)))
        {
            findings.Add(new Finding(record is null ? FindingSeverity.Error : FindingSeverity.Warning, "type99-record",
                "an SPF (type 99) record is published; RFC 7208 §3.1 removed that type and receivers only read TXT"
                + (record is null ? ": publish the same text as TXT" : ": delete it"), domain));
        }
        var terms = record is null ? [] : await LintRecordAsync(domain, record, findings, new LintWalk { domain }, 0, cancellationToken).ConfigureAwait(false);
        return Finish(domain, record?.Text, terms, findings);
    }

    /// <summary>Lints record text; includes and redirects are resolved through DNS.</summary>
    public async Task<SpfLintReport> LintRecordAsync(string recordText, CancellationToken cancellationToken = default)
    {
        var findings = new List<Finding>();
        var record = Parse(recordText, "(record)", findings);
        var terms = record is null ? [] : await LintRecordAsync("(record)", record, findings, new LintWalk(), 0, cancellationToken).ConfigureAwait(false);
        return Finish(null, recordText, terms, findings);
    }

    private SpfLintReport Finish(string? domain, string? text, IReadOnlyList<SpfLintTerm> terms, List<Finding> findings)
    {
        var report = new SpfLintReport(domain, text, terms, findings);
        if (report.TotalDnsLookups > _options.MaxDnsLookups)
        {
            findings.Add(new Finding(FindingSeverity.Error, SpfLintCodes.TooManyLookups,
                $"{report.TotalDnsLookups} DNS-querying terms after expanding includes; receivers stop at {_options.MaxDnsLookups} with permerror (RFC 7208 §4.6.4): flatten or remove includes", domain));
        }
        if (report.VoidLookups > _options.MaxVoidLookups)
        {
            findings.Add(new Finding(FindingSeverity.Error, SpfLintCodes.TooManyVoidLookups,
                $"{report.VoidLookups} terms name domains that do not exist or have no address; more than {_options.MaxVoidLookups} is permerror (RFC 7208 §4.6.4): remove them", domain));
        }
        return report with { Findings = [.. findings.OrderByDescending(f => f.Severity)] };
    }

    private async Task<SpfRecord?> FindRecordAsync(string domain, List<Finding> findings, bool top, CancellationToken ct)
    {
        var answer = await resolver.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            findings.Add(new Finding(FindingSeverity.Warning, SpfLintCodes.DnsFailure, $"TXT lookup of {domain}: {SpfEvaluator.DescribeStatus(answer.Status)}; could not check it", domain));
            return null;
        }
        var records = answer.Of<TxtRecord>().Select(t => t.Text).Where(SpfParser.IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            findings.Add(new Finding(FindingSeverity.Error, top ? "no-record" : SpfLintCodes.IncludeWithoutRecord,
                top ? $"{domain} publishes no SPF record" : $"{domain} publishes no SPF record: receivers return permerror for the include or redirect (RFC 7208 §5.2)", domain));
            return null;
        }
        if (records.Count > 1)
        {
            findings.Add(new Finding(FindingSeverity.Error, "multiple-records",
                $"{domain} publishes {records.Count} SPF records; receivers return permerror (RFC 7208 §4.5): merge them into one", domain));
            return null;
        }
        return Parse(records[0], domain, findings);
    }

    private static SpfRecord? Parse(string text, string domain, List<Finding> findings)
    {
        var (record, error) = SpfEvaluator.Parse(text);
        if (error is not null)
        {
            findings.Add(new Finding(FindingSeverity.Error, SpfLintCodes.SyntaxError, $"the record of {domain} is invalid {error}", domain, error.Position));
        }
        return record;
    }

    private async Task<IReadOnlyList<SpfLintTerm>> LintRecordAsync(string domain, SpfRecord record, List<Finding> findings, LintWalk path, int depth, CancellationToken ct)
    {
        var terms = new List<SpfLintTerm>();
        var seenAll = false;
        foreach (var m in record.Mechanisms)
        {
            ct.ThrowIfCancellationRequested();
            if (seenAll)
            {
                findings.Add(new Finding(FindingSeverity.Warning, "after-all", $"\"{m.Text}\" comes after \"all\" and is never evaluated", domain, m.Position));
            }
            terms.Add(await LintMechanismAsync(domain, m, findings, path, depth, ct).ConfigureAwait(false));
            seenAll |= m.Kind == SpfMechanismKind.All;
        }
        if (record.Redirect is { } redirect)
        {
            if (seenAll)
            {
                findings.Add(new Finding(FindingSeverity.Warning, "redirect-ignored", "\"redirect\" is ignored because the record has \"all\" (RFC 7208 §6.1)", domain, redirect.Position));
            }
            terms.Add(await LintTargetAsync(domain, redirect.Text, redirect.Position, redirect.Value, findings, path, depth, ct).ConfigureAwait(false));
        }
        else if (!seenAll && depth == 0)
        {
            findings.Add(new Finding(FindingSeverity.Warning, SpfLintCodes.NoAll, "the record ends without \"all\" or \"redirect\": unlisted senders get neutral; end it with \"~all\" or \"-all\"", domain));
        }
        if (record.Explanation is { } exp && depth == 0)
        {
            findings.Add(new Finding(FindingSeverity.Info, "exp", $"explanation text comes from {exp.Value.Text} (RFC 7208 §6.2)", domain, exp.Position));
        }
        foreach (var other in record.OtherModifiers)
        {
            findings.Add(new Finding(FindingSeverity.Info, "unknown-modifier", $"modifier \"{other.Name}\" is not defined by RFC 7208 and is ignored", domain, other.Position));
        }
        return terms;
    }

    private async Task<SpfLintTerm> LintMechanismAsync(string domain, SpfMechanism m, List<Finding> findings, LintWalk path, int depth, CancellationToken ct)
    {
        switch (m.Kind)
        {
            case SpfMechanismKind.All when m.Qualifier == SpfQualifier.Pass:
                findings.Add(new Finding(FindingSeverity.Error, SpfLintCodes.PlusAll, "\"+all\" lets every host on the internet send as this domain: use \"~all\" or \"-all\"", domain, m.Position));
                break;
            case SpfMechanismKind.All when m.Qualifier == SpfQualifier.Neutral && depth == 0:
                findings.Add(new Finding(FindingSeverity.Warning, SpfLintCodes.NeutralAll, "\"?all\" asserts nothing about other hosts: use \"~all\", then \"-all\"", domain, m.Position));
                break;
            case SpfMechanismKind.All when m.Qualifier == SpfQualifier.SoftFail && depth == 0:
                findings.Add(new Finding(FindingSeverity.Info, SpfLintCodes.SoftfailAll, "\"~all\": move to \"-all\" once DMARC reports show every legitimate sender passing", domain, m.Position));
                break;
            case SpfMechanismKind.Ptr:
                findings.Add(new Finding(FindingSeverity.Warning, SpfLintCodes.Ptr, "\"ptr\" is slow and unreliable and SHOULD NOT be used (RFC 7208 §5.5): list the addresses with ip4/ip6", domain, m.Position));
                break;
            case SpfMechanismKind.Include:
                return await LintTargetAsync(domain, m.Text, m.Position, m.DomainSpec!, findings, path, depth, ct).ConfigureAwait(false);
        }
        if (!m.QueriesDns)
        {
            return new SpfLintTerm(domain, m.Text, m.Position, 0, 0);
        }
        var voids = m.Kind is SpfMechanismKind.A or SpfMechanismKind.Mx or SpfMechanismKind.Exists
            ? await CountVoidAsync(domain, m, findings, path, ct).ConfigureAwait(false)
            : 0;
        return new SpfLintTerm(domain, m.Text, m.Position, 1, voids);
    }

    private async Task<int> CountVoidAsync(string domain, SpfMechanism m, List<Finding> findings, LintWalk path, CancellationToken ct)
    {
        var target = m.DomainSpec is null ? domain : m.DomainSpec.Literal;
        if (target is null || !DnsName.IsValid(target) || domain.StartsWith('(') || !path.Spend(findings, domain))
        {
            return 0;
        }
        var type = m.Kind == SpfMechanismKind.Mx ? DnsRecordType.Mx : DnsRecordType.A;
        var answer = await resolver.QueryAsync(target, type, ct).ConfigureAwait(false);
        if (type == DnsRecordType.A && answer.IsEmpty && m.Kind != SpfMechanismKind.Exists)
        {
            // "a" matches IPv6 clients through AAAA: only a name with neither is void for everyone.
            var v6 = await resolver.QueryAsync(target, DnsRecordType.Aaaa, ct).ConfigureAwait(false);
            if (v6.Status == DnsStatus.NoError)
            {
                return 0;
            }
        }
        if (answer.Of<MxRecord>().Count() > _options.MaxMxNames)
        {
            findings.Add(new Finding(FindingSeverity.Error, "too-many-mx", $"\"{m.Text}\": {target} has more than {_options.MaxMxNames} MX names: permerror (RFC 7208 §4.6.4)", domain, m.Position));
        }
        if (!answer.IsEmpty)
        {
            return 0;
        }
        findings.Add(new Finding(FindingSeverity.Warning, "void-lookup", $"\"{m.Text}\": {target} {(answer.Status == DnsStatus.NxDomain ? "does not exist" : "has no such record")} (a void lookup)", domain, m.Position));
        return 1;
    }

    private async Task<SpfLintTerm> LintTargetAsync(string domain, string text, int position, SpfMacroString spec, List<Finding> findings, LintWalk path, int depth, CancellationToken ct)
    {
        var target = spec.Literal is { } literal ? DnsName.Normalize(literal) : null;
        if (target is null)
        {
            findings.Add(new Finding(FindingSeverity.Info, "macro-target", $"\"{text}\" depends on the message (macros); its lookups are not counted", domain, position));
            return new SpfLintTerm(domain, text, position, 1, 0);
        }
        if (!path.Add(target) || depth >= MaxDepth)
        {
            findings.Add(new Finding(FindingSeverity.Error, SpfLintCodes.IncludeLoop, $"\"{text}\" includes a domain already being evaluated: a loop that ends in permerror", domain, position));
            return new SpfLintTerm(domain, text, position, 1, 0);
        }
        try
        {
            if (!path.Spend(findings, domain))
            {
                return new SpfLintTerm(domain, text, position, 1, 0);
            }
            var record = await FindRecordAsync(target, findings, top: false, ct).ConfigureAwait(false);
            var children = record is null ? [] : await LintRecordAsync(target, record, findings, path, depth + 1, ct).ConfigureAwait(false);
            return new SpfLintTerm(domain, text, position, 1 + children.Sum(c => c.DnsLookups), children.Sum(c => c.VoidLookups)) { Children = children };
        }
        finally
        {
            path.Remove(target);
        }
    }

    /// <summary>One lint's walk: the targets on the current include path (loops), and the queries spent.</summary>
    private sealed class LintWalk : HashSet<string>
    {
        private int _queries;

        public LintWalk()
            : base(StringComparer.Ordinal)
        {
        }

        /// <summary>Takes one query of <see cref="MaxQueries"/>; false (and one finding, the first time) when none is left.</summary>
        public bool Spend(List<Finding> findings, string domain)
        {
            if (++_queries <= MaxQueries)
            {
                return true;
            }
            if (_queries == MaxQueries + 1)
            {
                findings.Add(new Finding(FindingSeverity.Warning, "lint-truncated",
                    $"the policy needs more than {MaxQueries} DNS queries to expand; the rest of its includes are counted, not followed", domain));
            }
            return false;
        }
    }
}
