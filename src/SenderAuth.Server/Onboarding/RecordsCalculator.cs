using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Spf;
using SenderAuth.Server.Hosting;

namespace SenderAuth.Server.Onboarding;

/// <summary>One record the institution must publish, ready to paste.</summary>
/// <param name="Action">"add" (nothing there yet), "replace" (an existing record changes) or "keep" (already right).</param>
public sealed record RecordToPaste(string Purpose, string Name, string Type, string Value, string Action, string ZoneLine)
{
    public string? Current { get; init; }
    public string? Note { get; init; }
    /// <summary>For SPF: the DNS-querying terms after merging (RFC 7208 §4.6.4 allows 10).</summary>
    public int? DnsLookups { get; init; }
}

public sealed record DomainRecords(string Domain, IReadOnlyList<RecordToPaste> Records, IReadOnlyList<string> Warnings)
{
    /// <summary>All records as a master-file fragment, relative to nothing (absolute names).</summary>
    public string ZoneFragment => string.Join('\n', Records.Where(r => r.Action != "keep").Select(r => r.ZoneLine)) + "\n";
}

/// <summary>
/// Computes what an institution must publish for a sender domain: SPF (merged into the record it already has,
/// never a second one), the two DKIM CNAMEs, a starting DMARC record, and the custom MAIL FROM records.
/// Reads the domain's current SPF and DMARC from DNS for that.
/// </summary>
public sealed class RecordsCalculator(IDnsResolver dns)
{
    private const int Ttl = 3600;

    public async Task<DomainRecords> ComputeAsync(string domain, string code, bool customMailFrom, ProviderOptions provider, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var profile = provider.Profile(customMailFrom);
        var records = new List<RecordToPaste>();
        var warnings = new List<string>();
        records.Add(await SpfAsync(domain, profile.SpfInclude, warnings, ct).ConfigureAwait(false));
        foreach (var selector in profile.Selectors)
        {
            var name = $"{selector.Name}._domainkey.{domain}";
            var target = profile.SelectorTarget(selector, code, domain) + ".";
            records.Add(new RecordToPaste("dkim", name, "CNAME", target, "add", $"{name}. {Ttl} IN CNAME {target}"));
        }
        records.Add(await DmarcAsync(domain, profile.ReportAddress is { } r ? profile.Expand(r, code, domain) : null, ct).ConfigureAwait(false));
        if (customMailFrom)
        {
            var mailFrom = DnsName.Normalize(profile.Expand(provider.MailFromDomain, code, domain));
            var mx = $"10 {DnsName.Normalize(provider.MailFromMx)}.";
            records.Add(new RecordToPaste("mail-from", mailFrom, "MX", mx, "add", $"{mailFrom}. {Ttl} IN MX {mx}"));
            var spf = $"v=spf1 include:{DnsName.Normalize(provider.SpfInclude)} -all";
            records.Add(new RecordToPaste("mail-from", mailFrom, "TXT", spf, "add", $"{mailFrom}. {Ttl} IN TXT {Quote(spf)}"));
        }
        return new DomainRecords(domain, records, warnings);
    }

    private async Task<RecordToPaste> SpfAsync(string domain, string include, List<string> warnings, CancellationToken ct)
    {
        var answer = await dns.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            warnings.Add($"the current SPF record of {domain} could not be read ({answer.Status}): the record below does not merge it; check again before publishing");
        }
        var existing = answer.Of<TxtRecord>().Select(t => t.Text).Where(t => SpfParser.IsSpfRecord(t)).ToList();
        if (existing.Count > 1)
        {
            warnings.Add($"{domain} has {existing.Count} SPF records: receivers treat that as a permanent error. Publish only the merged record below and delete the others");
        }
        var current = existing.FirstOrDefault();
        var value = current is null ? $"v=spf1 include:{include} ~all" : DomainChecker.MergeInclude(existing.Aggregate(DomainChecker.MergeRecords), include);
        var lint = await new SpfLinter(dns).LintRecordAsync(value, ct).ConfigureAwait(false);
        var lookups = lint.TotalDnsLookups;
        if (lookups > 10)
        {
            warnings.Add($"the merged SPF record needs {lookups} DNS lookups; RFC 7208 allows 10, beyond that receivers answer permerror: remove includes you no longer use or replace them by ip4/ip6 terms");
        }
        var action = current is null ? "add" : current == value && existing.Count == 1 ? "keep" : "replace";
        return new RecordToPaste("spf", domain, "TXT", value, action, $"{domain}. {Ttl} IN TXT {Quote(value)}")
        {
            Current = current,
            DnsLookups = lookups,
            Note = current is null ? null : "merged into the existing SPF record: replace it, do not add a second one",
        };
    }

    private async Task<RecordToPaste> DmarcAsync(string domain, string? rua, CancellationToken ct)
    {
        var name = $"_dmarc.{domain}";
        var answer = await dns.QueryAsync(name, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var current = answer.Of<TxtRecord>().Select(t => t.Text).FirstOrDefault(t => t.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase));
        var value = rua is null ? "v=DMARC1; p=none" : $"v=DMARC1; p=none; rua={rua}";
        if (current is null)
        {
            return new RecordToPaste("dmarc", name, "TXT", value, "add", $"{name}. {Ttl} IN TXT {Quote(value)}")
            {
                Note = "start at p=none, read the reports, then tighten to quarantine and reject",
            };
        }
        var hasRua = rua is null || current.Contains(rua, StringComparison.OrdinalIgnoreCase);
        return new RecordToPaste("dmarc", name, "TXT", current, "keep", $"{name}. {Ttl} IN TXT {Quote(current)}")
        {
            Current = current,
            Note = hasRua ? "a DMARC record exists: keep its policy" : $"a DMARC record exists: keep its policy and add {rua} to its rua= tag so we can read the reports",
        };
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
