using SenderAuth.Dns;
using SenderAuth.Onboarding;

namespace SenderAuth.Check;

/// <summary>Limits of a domain check.</summary>
public sealed record DomainCheckOptions
{
    /// <summary>Wall-clock bound for one domain; default 30 s (a lame server must not hold a bulk run).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Checks an institution's DNS as receivers see it, against what the provider profile expects: SPF, the DKIM
/// delegation of each selector, DMARC, the custom MAIL FROM and DNSSEC. Every finding is observed against
/// expected with a named diagnosis; DNS failures are "could not check", never "missing". The same check serves
/// the CLI and the server.
/// </summary>
public sealed partial class DomainChecker(IDnsResolver resolver, DomainCheckOptions? options = null)
{
    private readonly DomainCheckOptions _options = options ?? new DomainCheckOptions();

    /// <summary>
    /// Checks <paramref name="domain"/> against what <paramref name="profile"/> expects: SPF, DKIM selectors, DMARC,
    /// the custom MAIL FROM domain and DNSSEC, with the records to publish. Each DNS name is asked once per check.
    /// </summary>
    /// <param name="domain">The institution's domain; at least two labels.</param>
    /// <param name="profile">What the sending platform expects.</param>
    /// <param name="code">The institution's code, substituted for <c>{code}</c> in the profile.</param>
    /// <param name="cancellationToken">Cancels the DNS work.</param>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is not a valid domain name with a dot.</exception>
    public async Task<DomainCheckReport> CheckAsync(string domain, ProviderProfile profile, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (!DnsName.IsValid(domain) || !domain.TrimEnd('.').Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{domain}\" is not a valid domain name", nameof(domain));
        }
        domain = DnsName.Normalize(domain);
        // One answer per question for the whole check: SPF, DKIM and DMARC look at overlapping names, and a name
        // that timed out is not waited for twice.
        var dns = new DnsMemo(resolver);
        var findings = new List<CheckFinding>();
        var records = new List<RecordToPublish>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await CheckSpfAsync(dns, domain, profile, code, findings, records, timeout.Token).ConfigureAwait(false);
            await CheckDkimAsync(dns, domain, profile, code, findings, records, timeout.Token).ConfigureAwait(false);
            await CheckDmarcAsync(dns, domain, profile, code, findings, records, timeout.Token).ConfigureAwait(false);
            await CheckMailFromAsync(dns, domain, profile, code, findings, records, timeout.Token).ConfigureAwait(false);
            await CheckDnssecAsync(domain, profile, code, findings, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            findings.Add(new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "check-timeout",
                $"the check did not finish within {_options.Timeout.TotalSeconds:0} s: the domain's name servers are too slow or unreachable") { Subject = domain, Temporary = true });
        }
        return new DomainCheckReport(domain, code, findings, records);
    }

    private static CheckFinding CouldNotCheck(CheckArea area, string name, DnsStatus status) =>
        new(area, FindingSeverity.Error, "dns-unreachable",
            $"the name servers did not answer for {name} ({(status == DnsStatus.Timeout ? "timeout" : "server failure")}); this is temporary or a lame delegation, not a missing record: check again, and check the domain's NS records")
        { Subject = name, Observed = status.ToString(), Temporary = true };
}
