using SenderAuth.Dns;

namespace SenderAuth.Dmarc;

/// <summary>What <see cref="DmarcLinter"/> found: where the policy lives, the record, and the findings.</summary>
/// <param name="Domain">The domain linted, normalized.</param>
/// <param name="PolicyDomain">Where the applicable record was found; null when none was.</param>
/// <param name="Record">The applicable record; null when none was found.</param>
/// <param name="Findings">Problems of the record and of the setup around it, each with a code (<c>findings</c> in JSON).</param>
public sealed record DmarcLintReport(string Domain, string? PolicyDomain, DmarcRecord? Record, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when a finding is an error: receivers will not apply the policy as the domain intends.</summary>
    public bool HasErrors => Findings.Any(i => i.Severity == FindingSeverity.Error);

    /// <summary>True when DNS did not answer a query the lint needed; the report is incomplete.</summary>
    public bool DnsIncomplete => Findings.Any(i => i.Code == DmarcLintCodes.DnsFailure);
}

/// <summary>
/// Checks a domain's DMARC setup like a careful linter: the record found by the tree walk and its issues, several
/// records, a record published at the domain itself instead of _dmarc, and report destinations outside the
/// domain without the authorization record <c>&lt;domain&gt;._report._dmarc.&lt;destination&gt;</c> (RFC 9989 §3.3).
/// </summary>
public sealed class DmarcLinter(IDnsResolver resolver, DmarcOptions? options = null)
{
    private readonly DmarcDiscovery _discovery = new(resolver, options);

    /// <summary>Finds and lints the DMARC policy that applies to <paramref name="domain"/>. DNS failures are issues
    /// (<c>dns-failure</c>), not exceptions.</summary>
    public async Task<DmarcLintReport> LintDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        domain = DnsName.Normalize(domain);
        var issues = new List<Finding>();
        var own = await resolver.QueryAsync("_dmarc." + domain, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
        var ownRecords = own.Of<TxtRecord>().Count(t => DmarcRecord.IsDmarcRecord(t.Text));
        if (ownRecords > 1)
        {
            issues.Add(new(FindingSeverity.Error, "multiple-records", $"_dmarc.{domain} has {ownRecords} DMARC records; receivers ignore them all (RFC 9989 §4.10): keep one"));
        }
        var lookup = await _discovery.FindPolicyAsync(domain, cancellationToken).ConfigureAwait(false);
        if (lookup.TemporaryFailure)
        {
            issues.Add(new(FindingSeverity.Warning, DmarcLintCodes.DnsFailure, $"the DMARC lookup at _dmarc.{lookup.Domain} failed; could not check"));
            return new DmarcLintReport(domain, null, null, issues);
        }
        if (lookup.Record is null)
        {
            var apex = await resolver.QueryAsync(domain, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
            issues.Add(apex.Of<TxtRecord>().Any(t => DmarcRecord.IsDmarcRecord(t.Text))
                ? new(FindingSeverity.Error, DmarcLintCodes.WrongName, $"a DMARC record is published at {domain}, but receivers only look at _dmarc.{domain}: move it")
                : new(FindingSeverity.Error, DmarcLintCodes.NoRecord, $"no DMARC record for {domain} (nor its parents): publish one at _dmarc.{domain}, starting with p=none and rua="));
            return new DmarcLintReport(domain, null, null, issues);
        }
        if (lookup.Domain != domain)
        {
            issues.Add(new(FindingSeverity.Info, "inherited", $"{domain} has no record of its own; the one at _dmarc.{lookup.Domain} applies (sp= or p=)"));
        }
        issues.AddRange(lookup.Record.Issues);
        issues.AddRange(await CheckDestinationsAsync(lookup.Domain!, lookup.Record, cancellationToken).ConfigureAwait(false));
        return new DmarcLintReport(domain, lookup.Domain, lookup.Record, issues);
    }

    /// <summary>Lints record text as if published for <paramref name="domain"/>; destinations are checked over DNS.</summary>
    public async Task<DmarcLintReport> LintRecordAsync(string text, string domain, CancellationToken cancellationToken = default)
    {
        domain = DnsName.Normalize(domain);
        var record = DmarcRecord.Parse(text);
        if (record is null)
        {
            return new DmarcLintReport(domain, domain, null, [new(FindingSeverity.Error, "not-dmarc", "the text does not start with v=DMARC1", Position: 1)]);
        }
        var issues = new List<Finding>(record.Issues);
        issues.AddRange(await CheckDestinationsAsync(domain, record, cancellationToken).ConfigureAwait(false));
        return new DmarcLintReport(domain, domain, record, issues);
    }

    private async Task<List<Finding>> CheckDestinationsAsync(string policyDomain, DmarcRecord record, CancellationToken ct)
    {
        var issues = new List<Finding>();
        if (record.AggregateReportUris.Count == 0)
        {
            issues.Add(new(FindingSeverity.Warning, "no-rua", "no rua=: nobody receives aggregate reports, so nobody can tell when it is safe to tighten the policy"));
        }
        var own = await _discovery.OrganizationalDomainAsync(policyDomain, ct).ConfigureAwait(false);
        foreach (var (tag, uri) in record.AggregateReportUris.Select(u => ("rua", u)).Concat(record.FailureReportUris.Select(u => ("ruf", u))))
        {
            var host = DnsName.Normalize(uri.UserInfo.Length > 0 ? uri.Host : uri.AbsolutePath[(uri.AbsolutePath.LastIndexOf('@') + 1)..]);
            var theirs = await _discovery.OrganizationalDomainAsync(host, ct).ConfigureAwait(false);
            if (own is not null && theirs == own)
            {
                continue;
            }
            var name = Onboarding.PublishPlan.ReportAuthorisationName(policyDomain, host);
            var answer = await resolver.QueryAsync(name, DnsRecordType.Txt, ct).ConfigureAwait(false);
            if (answer.IsTemporaryFailure)
            {
                issues.Add(new(FindingSeverity.Warning, DmarcLintCodes.DnsFailure, $"{tag}: could not check the authorization record {name}"));
            }
            else if (!answer.Of<TxtRecord>().Any(t => DmarcRecord.IsDmarcRecord(t.Text)))
            {
                issues.Add(new(FindingSeverity.Error, "external-destination-unauthorized",
                    $"{tag}: reports go to {host}, outside {policyDomain}, but {name} has no \"v=DMARC1\" record: receivers will not send them (RFC 9989 §3.3)"));
            }
        }
        return issues;
    }
}
