using System.Net;
using SenderAuth.Dns;
using SenderAuth.Onboarding;
using SenderAuth.Spf;

namespace SenderAuth.Check;

public sealed partial class DomainChecker
{
    private static async Task CheckSpfAsync(IDnsResolver dns, string domain, ProviderProfile profile, string code,
        List<CheckFinding> findings, List<RecordToPublish> records, CancellationToken ct)
    {
        var include = DnsName.Normalize(profile.SpfInclude);
        var answer = await dns.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            findings.Add(CouldNotCheck(CheckArea.Spf, domain, answer.Status));
            return;
        }
        // Sorted: the order of records in an RRset is unspecified, and the merged record must not depend on it.
        var spf = answer.Of<TxtRecord>().Select(t => t.Text).Where(SpfParser.IsSpfRecord).Order(StringComparer.Ordinal).ToList();
        if (spf.Count == 0)
        {
            var type99 = await dns.QueryAsync(domain, DnsRecordType.Spf, ct).ConfigureAwait(false);
            var only99 = type99.Of<TxtRecord>().FirstOrDefault(t => SpfParser.IsSpfRecord(t.Text));
            var planned = PublishPlan.Spf(domain, profile, [], only99?.Text);
            findings.Add(only99 is not null
                ? new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-type99-only",
                    $"the SPF policy is published only as a type-99 SPF record, which receivers no longer read (RFC 7208 §3.1): publish it as a TXT record at {domain}")
                    { Subject = domain, Observed = only99.Text, Expected = planned.Value }
                : new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-missing", $"{domain} has no SPF record: publish the one below")
                    { Subject = domain, Expected = planned.Value });
            records.Add(planned);
            return;
        }
        if (spf.Count > 1)
        {
            var planned = PublishPlan.Spf(domain, profile, spf);
            findings.Add(new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-multiple",
                $"{domain} publishes {spf.Count} SPF records, so receivers return permerror and SPF never passes: replace them with one merged record")
                { Subject = domain, Observed = string.Join(" | ", spf), Expected = planned.Value });
            records.Add(planned);
            return;
        }
        var text = spf[0];
        var lint = await new SpfLinter(dns).LintDomainAsync(domain, ct).ConfigureAwait(false);
        var syntax = lint.Findings.FirstOrDefault(f => f.Code == SpfLintCodes.SyntaxError && f.Subject == domain);
        if (syntax is not null)
        {
            // The record cannot be merged into, so the record we expect is the one we would publish from scratch.
            findings.Add(new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-syntax", $"{syntax.Message}: fix the record")
                { Subject = domain, Observed = text, Expected = PublishPlan.Spf(domain, profile, []).Value });
            return;
        }
        if (!IncludesHost(lint.Terms, include))
        {
            var planned = PublishPlan.Spf(domain, profile, spf);
            findings.Add(new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-include-missing",
                $"the SPF record does not include {include}, so our servers are not authorized: add include:{include} before the \"all\"")
                { Subject = domain, Observed = text, Expected = planned.Value });
            records.Add(planned);
        }
        foreach (var f in lint.Findings)
        {
            var mapped = f.Code switch
            {
                SpfLintCodes.TooManyLookups => ("spf-too-many-lookups", FindingSeverity.Error),
                SpfLintCodes.TooManyVoidLookups => ("spf-too-many-void-lookups", FindingSeverity.Error),
                SpfLintCodes.PlusAll => ("spf-plus-all", FindingSeverity.Error),
                SpfLintCodes.Ptr => ("spf-ptr", FindingSeverity.Warning),
                SpfLintCodes.NeutralAll => ("spf-neutral-all", FindingSeverity.Warning),
                SpfLintCodes.NoAll => ("spf-no-all", FindingSeverity.Warning),
                SpfLintCodes.SoftfailAll => ("spf-softfail-all", FindingSeverity.Info),
                SpfLintCodes.IncludeWithoutRecord => ("spf-include-broken", FindingSeverity.Error),
                SpfLintCodes.IncludeLoop => ("spf-include-loop", FindingSeverity.Error),
                SpfLintCodes.DnsFailure => ("dns-unreachable", FindingSeverity.Error),
                _ => (null, FindingSeverity.Info),
            };
            if (mapped.Item1 is { } c)
            {
                findings.Add(new CheckFinding(CheckArea.Spf, mapped.Item2, c, f.Message)
                {
                    Subject = f.Subject ?? domain,
                    Observed = c == "spf-too-many-lookups" ? lint.TotalDnsLookups.ToString(System.Globalization.CultureInfo.InvariantCulture) : text,
                    Expected = c == "spf-too-many-lookups" ? "10 or fewer" : null,
                    Temporary = c == "dns-unreachable",
                });
            }
        }
        await CheckSendingIpsAsync(dns, domain, profile, findings, ct).ConfigureAwait(false);
    }

    /// <summary>Our sending networks must pass check_host for the domain (one address of each network is tried).</summary>
    private static async Task CheckSendingIpsAsync(IDnsResolver dns, string domain, ProviderProfile profile, List<CheckFinding> findings, CancellationToken ct)
    {
        var evaluator = new SpfEvaluator(dns);
        foreach (var cidr in profile.SendingIps)
        {
            var network = IPNetwork.Parse(cidr);
            var bytes = network.BaseAddress.GetAddressBytes();
            bytes[^1] |= 1;
            var ip = new IPAddress(bytes);
            var outcome = await evaluator.CheckHostAsync(ip, domain, "postmaster@" + domain, null, ct).ConfigureAwait(false);
            if (outcome.Result == SpfResult.Pass)
            {
                continue;
            }
            findings.Add(new CheckFinding(CheckArea.Spf, FindingSeverity.Error, "spf-ip-not-authorized",
                $"our sending network {cidr} gets SPF {outcome.Result.Token()} for {domain} ({outcome.Detail}): mail we send will not pass SPF")
            {
                Subject = domain,
                Observed = $"{outcome.Result.Token()} for {ip}",
                Expected = "pass",
                Temporary = outcome.Result == SpfResult.TempError,
            });
        }
    }

    private static bool IncludesHost(IEnumerable<SpfLintTerm> terms, string include) =>
        terms.Any(t => t.Text.EndsWith(":" + include, StringComparison.OrdinalIgnoreCase) && (t.Text.StartsWith("include:", StringComparison.OrdinalIgnoreCase) || t.Text.StartsWith("+include:", StringComparison.OrdinalIgnoreCase))
            || IncludesHost(t.Children, include));
}
