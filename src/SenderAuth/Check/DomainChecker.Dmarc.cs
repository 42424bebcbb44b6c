using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Onboarding;
using SenderAuth.Spf;

namespace SenderAuth.Check;

public sealed partial class DomainChecker
{
    private static async Task CheckDmarcAsync(IDnsResolver dns, string domain, ProviderProfile profile, string code,
        List<CheckFinding> findings, List<RecordToPublish> records, CancellationToken ct)
    {
        var rua = profile.ReportAddress is null ? null : profile.Expand(profile.ReportAddress, code, domain);
        var starter = PublishPlan.Dmarc(domain, code, profile, null);
        var name = "_dmarc." + domain;
        var report = await new DmarcLinter(dns).LintDomainAsync(domain, ct).ConfigureAwait(false);
        foreach (var issue in report.Findings)
        {
            switch (issue.Code)
            {
                case DmarcLintCodes.NoRecord:
                    var twice = await dns.QueryAsync($"{name}.{domain}", DnsRecordType.Txt, ct).ConfigureAwait(false);
                    findings.Add(twice.Of<TxtRecord>().Any(t => DmarcRecord.IsDmarcRecord(t.Text))
                        ? new CheckFinding(CheckArea.Dmarc, FindingSeverity.Error, "dmarc-zone-appended-twice",
                            $"the DMARC record was created as {name}.{domain}: the DNS host appends the zone name itself, so enter only \"_dmarc\" as the host name") { Subject = name, Observed = $"{name}.{domain}" }
                        : new CheckFinding(CheckArea.Dmarc, FindingSeverity.Error, "dmarc-missing", $"{domain} has no DMARC record: publish the starting record below (p=none, reports to us)") { Subject = name, Expected = starter.Value });
                    records.Add(starter);
                    break;
                case DmarcLintCodes.WrongName:
                    findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Error, "dmarc-wrong-name", issue.Message) { Subject = domain, Expected = name });
                    records.Add(starter);
                    break;
                case DmarcLintCodes.DnsFailure:
                    findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Error, "dns-unreachable", issue.Message) { Subject = name, Temporary = true });
                    break;
                default:
                    findings.Add(new CheckFinding(CheckArea.Dmarc, issue.Severity, "dmarc-" + issue.Code, issue.Message) { Subject = report.PolicyDomain is { } p ? "_dmarc." + p : name, Observed = report.Record?.Text });
                    break;
            }
        }
        if (report.Record is not { } record)
        {
            return;
        }
        // The record in force may be the organizational domain's; the merged one is published at this domain.
        if (PublishPlan.Dmarc(domain, code, profile, record.Text) is { Action: RecordAction.Replace } merged)
        {
            findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Warning, "dmarc-rua-missing-ours",
                $"aggregate reports do not come to us ({rua}), so we cannot tell you when it is safe to tighten the policy: add it to rua=")
                { Subject = name, Observed = record.Text, Expected = merged.Value });
            records.Add(merged);
        }
        if (record.Policy == DmarcPolicy.None && !record.PolicyMissing)
        {
            findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Info, "dmarc-policy-none",
                "p=none only collects reports; once they show all legitimate mail aligned, move to p=quarantine, then p=reject") { Subject = name, Observed = "p=none" });
        }
        if (record.SpfAlignment == DmarcAlignmentMode.Strict && profile.MailFromDomain is { } mf && DnsName.Normalize(profile.Expand(mf, code, domain)) != domain)
        {
            findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Warning, "dmarc-aspf-strict-incompatible",
                $"aspf=s, but our MAIL FROM is {profile.Expand(mf, code, domain)}: SPF can never align strictly, so DMARC rests on DKIM alone. Use aspf=r")
                { Subject = name, Observed = "aspf=s", Expected = "aspf=r" });
        }
        if (profile.MailFromDomain is null)
        {
            findings.Add(new CheckFinding(CheckArea.Dmarc, FindingSeverity.Info, "dmarc-spf-not-aligned-by-design",
                "our MAIL FROM is the provider's own domain, so SPF passes but does not align: DMARC passes through the DKIM delegation") { Subject = name });
        }
    }

    private static async Task CheckMailFromAsync(IDnsResolver dns, string domain, ProviderProfile profile, string code,
        List<CheckFinding> findings, List<RecordToPublish> records, CancellationToken ct)
    {
        if (profile.MailFromDomain is not { } template)
        {
            return;
        }
        var mailFrom = DnsName.Normalize(profile.Expand(template, code, domain));
        var include = DnsName.Normalize(profile.SpfInclude);
        var planned = PublishPlan.MailFrom(domain, code, profile);
        var wanted = planned.Single(r => r.Type == DnsRecordType.Txt);
        var mx = await dns.QueryAsync(mailFrom, DnsRecordType.Mx, ct).ConfigureAwait(false);
        if (mx.IsTemporaryFailure)
        {
            findings.Add(CouldNotCheck(CheckArea.MailFrom, mailFrom, mx.Status));
            return;
        }
        if (mx.Status != DnsStatus.NoError)
        {
            findings.Add(new CheckFinding(CheckArea.MailFrom, FindingSeverity.Error, "mail-from-mx-missing",
                $"the bounce domain {mailFrom} has no MX (nor a CNAME to ours): bounces cannot come back and receivers may refuse the MAIL FROM") { Subject = mailFrom });
            records.AddRange(planned.Where(r => r.Type == DnsRecordType.Mx));
        }
        var txt = await dns.QueryAsync(mailFrom, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var spf = txt.Of<TxtRecord>().Select(t => t.Text).Where(SpfParser.IsSpfRecord).ToList();
        if (spf.Count != 1 || !spf[0].Split(' ').Contains("include:" + include, StringComparer.OrdinalIgnoreCase))
        {
            findings.Add(new CheckFinding(CheckArea.MailFrom, FindingSeverity.Error, "mail-from-spf-missing",
                $"the bounce domain {mailFrom} needs its own SPF record including {include}, or SPF will not pass for our MAIL FROM")
                { Subject = mailFrom, Observed = spf.Count == 0 ? null : string.Join(" | ", spf), Expected = wanted.Value });
            records.Add(wanted);
        }
    }
}
