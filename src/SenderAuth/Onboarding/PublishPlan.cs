using SenderAuth.Check;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Onboarding;

/// <summary>
/// The records an institution must publish for one sender domain, and the one place they are decided: SPF merged
/// into the record the domain already has (never a second one), the DKIM CNAMEs delegating each selector to its
/// key in the provider's zone (the Ed25519 selectors' too, when the profile lists them), DMARC (a starting record, or the existing one with our rua= added), the custom
/// MAIL FROM's MX and SPF, and the report-authorisation record the report destination publishes.
/// </summary>
/// <remarks>
/// <see cref="DecideAsync"/> reads the domain's DNS and decides every record (the server and the dashboard show
/// that). The domain check diagnoses what is wrong from its own observations and asks the same decisions
/// (<see cref="Spf"/>, <see cref="Dkim"/>, <see cref="Dmarc"/>, <see cref="MailFrom"/>) for the records to show,
/// so a record never reads differently in the CLI, the API and the dashboard.
/// </remarks>
public sealed record PublishPlan(string Domain, IReadOnlyList<RecordToPublish> Records, IReadOnlyList<string> Warnings)
{
    /// <summary>The records to change as a master-file fragment (absolute names); records to keep are left out.</summary>
    public string ZoneFragment => string.Join('\n', Records.Where(r => r.Action != RecordAction.Keep).Select(r => r.ZoneLine)) + "\n";

    /// <summary>
    /// Reads the domain's SPF (TXT, then the obsolete type 99 when TXT has none) and DMARC record and decides every
    /// record. A DNS failure is a warning and the record is decided as if nothing were there.
    /// </summary>
    public static async Task<PublishPlan> DecideAsync(IDnsResolver dns, string domain, string code, ProviderProfile profile, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(profile);
        domain = DnsName.Normalize(domain);
        var warnings = new List<string>();
        var records = new List<RecordToPublish> { await SpfAsync(dns, domain, profile, warnings, ct).ConfigureAwait(false) };
        records.AddRange(profile.AllSelectors().Select(s => Dkim(domain, code, profile, s)));
        var dmarc = await dns.QueryAsync(DmarcName(domain), DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (dmarc.IsTemporaryFailure)
        {
            warnings.Add($"the current DMARC record of {domain} could not be read ({dmarc.Status}): check again before publishing the one below");
        }
        records.Add(Dmarc(domain, code, profile, dmarc.Of<TxtRecord>().Select(t => t.Text).FirstOrDefault(DmarcRecord.IsDmarcRecord)));
        records.AddRange(MailFrom(domain, code, profile));
        return new PublishPlan(domain, records, warnings);
    }

    private static async Task<RecordToPublish> SpfAsync(IDnsResolver dns, string domain, ProviderProfile profile, List<string> warnings, CancellationToken ct)
    {
        var answer = await dns.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        if (answer.IsTemporaryFailure)
        {
            warnings.Add($"the current SPF record of {domain} could not be read ({answer.Status}): the record below does not merge it; check again before publishing");
        }
        var existing = answer.Of<TxtRecord>().Select(t => t.Text).Where(SpfParser.IsSpfRecord).ToList();
        string? type99 = null;
        if (existing.Count == 0 && !answer.IsTemporaryFailure)
        {
            var old = await dns.QueryAsync(domain, DnsRecordType.Spf, ct).ConfigureAwait(false);
            type99 = old.Of<TxtRecord>().Select(t => t.Text).FirstOrDefault(SpfParser.IsSpfRecord);
        }
        if (existing.Count > 1)
        {
            warnings.Add($"{domain} has {existing.Count} SPF records: receivers treat that as a permanent error. Publish only the merged record below and delete the others");
        }
        var record = Spf(domain, profile, existing, type99);
        var lookups = (await new SpfLinter(dns).LintRecordAsync(record.Value, ct).ConfigureAwait(false)).TotalDnsLookups;
        if (lookups > 10)
        {
            warnings.Add($"the merged SPF record needs {lookups} DNS lookups; RFC 7208 allows 10, beyond that receivers answer permerror: remove includes you no longer use or replace them by ip4/ip6 terms");
        }
        return record with { DnsLookups = lookups };
    }

    /// <summary>
    /// The SPF record of <paramref name="domain"/>: every SPF record it publishes merged into one (sorted first: the
    /// order of an RRset is unspecified and the result must not depend on it), with our include added; a policy
    /// published only as type 99 is moved to TXT; otherwise a starting record.
    /// </summary>
    /// <param name="existing">The TXT records of the domain that are SPF records.</param>
    /// <param name="type99">The type-99 SPF record, read only when TXT holds none.</param>
    public static RecordToPublish Spf(string domain, ProviderProfile profile, IReadOnlyList<string> existing, string? type99 = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(existing);
        var include = DnsName.Normalize(profile.SpfInclude);
        if (existing.Count == 0)
        {
            return type99 is null
                ? new RecordToPublish(RecordPurpose.Spf, domain, DnsRecordType.Txt, $"v=spf1 include:{include} ~all", RecordAction.Add)
                : new RecordToPublish(RecordPurpose.Spf, domain, DnsRecordType.Txt, SpfMerge.MergeInclude(type99, include), RecordAction.Add)
                {
                    Current = type99,
                    Note = "the policy is published only as a type-99 SPF record, which receivers no longer read: publish it as TXT",
                };
        }
        var sorted = existing.Order(StringComparer.Ordinal).ToList();
        var value = SpfMerge.MergeInclude(sorted.Aggregate(SpfMerge.MergeRecords), include);
        return new RecordToPublish(RecordPurpose.Spf, domain, DnsRecordType.Txt, value, sorted.Count == 1 && sorted[0] == value ? RecordAction.Keep : RecordAction.Replace)
        {
            Current = sorted[0],
            Note = "merged into the existing SPF record: replace it, do not add a second one",
        };
    }

    /// <summary>The CNAME delegating <paramref name="selector"/> of the domain to its key in the provider's DKIM zone.</summary>
    public static RecordToPublish Dkim(string domain, string code, ProviderProfile profile, ProviderSelector selector)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(selector);
        return new RecordToPublish(RecordPurpose.Dkim, $"{selector.Name}._domainkey.{domain}", DnsRecordType.Cname, profile.SelectorTarget(selector, code, domain) + ".", RecordAction.Add);
    }

    /// <summary>
    /// The DMARC record: without one, a starting record (p=none, reports to us); with one, that record, with our
    /// rua= added when reports do not come to us yet (its policy is the institution's to keep).
    /// </summary>
    /// <param name="current">The DMARC record the domain publishes (found with <see cref="DmarcRecord.IsDmarcRecord"/>), or null.</param>
    public static RecordToPublish Dmarc(string domain, string code, ProviderProfile profile, string? current)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var name = DmarcName(domain);
        var rua = profile.ReportAddress is { } r ? profile.Expand(r, code, domain) : null;
        if (current is null || DmarcRecord.Parse(current) is not { } record)
        {
            return new RecordToPublish(RecordPurpose.Dmarc, name, DnsRecordType.Txt, rua is null ? "v=DMARC1; p=none" : $"v=DMARC1; p=none; rua={rua}", RecordAction.Add)
            {
                Note = "start at p=none, read the reports, then tighten to quarantine and reject",
            };
        }
        if (rua is null || record.AggregateReportUris.Any(u => u.ToString().Equals(rua, StringComparison.OrdinalIgnoreCase)))
        {
            return new RecordToPublish(RecordPurpose.Dmarc, name, DnsRecordType.Txt, current, RecordAction.Keep) { Current = current, Note = "a DMARC record exists: keep its policy" };
        }
        var tags = DmarcTags.Read(current);
        tags["rua"] = tags.TryGetValue("rua", out var theirs) && theirs.Length > 0 ? $"{rua},{theirs}" : rua;
        var merged = DmarcTags.Write(tags);
        return new RecordToPublish(RecordPurpose.Dmarc, name, DnsRecordType.Txt, merged, RecordAction.Replace)
        {
            Current = current,
            Note = $"a DMARC record exists: keep its policy and add {rua} to its rua= tag so we can read the reports",
        };
    }

    /// <summary>
    /// The custom MAIL FROM (Return-Path) domain's records: an MX where bounces go (when the profile names one) and
    /// its own SPF record; none when the provider's own MAIL FROM is used.
    /// </summary>
    public static IReadOnlyList<RecordToPublish> MailFrom(string domain, string code, ProviderProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.MailFromDomain is not { } template)
        {
            return [];
        }
        var mailFrom = DnsName.Normalize(profile.Expand(template, code, domain));
        var records = new List<RecordToPublish>();
        if (profile.MailFromMx is { } mx)
        {
            records.Add(new RecordToPublish(RecordPurpose.MailFrom, mailFrom, DnsRecordType.Mx, $"10 {DnsName.Normalize(mx)}.", RecordAction.Add));
        }
        records.Add(new RecordToPublish(RecordPurpose.MailFrom, mailFrom, DnsRecordType.Txt, $"v=spf1 include:{DnsName.Normalize(profile.SpfInclude)} -all", RecordAction.Add));
        return records;
    }

    /// <summary>
    /// The record a report destination outside the domain publishes so receivers send it the domain's reports
    /// (<c>&lt;domain&gt;._report._dmarc.&lt;host&gt; TXT "v=DMARC1"</c>, RFC 9989 §3.3); null when the address
    /// is not a mailto: URI or its host lies inside the domain.
    /// </summary>
    public static RecordToPublish? ReportAuthorisation(string domain, string reportAddress)
    {
        ArgumentNullException.ThrowIfNull(reportAddress);
        if (ReportHost(reportAddress) is not { } host || DnsName.IsSubdomainOf(host, domain))
        {
            return null;
        }
        return new RecordToPublish(RecordPurpose.ReportAuthorisation, ReportAuthorisationName(domain, host), DnsRecordType.Txt, "v=DMARC1", RecordAction.Add);
    }

    /// <summary>Where the destination <paramref name="host"/> authorises reports about <paramref name="domain"/>.</summary>
    public static string ReportAuthorisationName(string domain, string host) => $"{domain}._report._dmarc.{host}";

    /// <summary>The host of a mailto: report address (after the last '@', before a size limit or query), or null.</summary>
    public static string? ReportHost(string reportAddress)
    {
        ArgumentNullException.ThrowIfNull(reportAddress);
        var at = reportAddress.LastIndexOf('@');
        return at < 0 ? null : DnsName.Normalize(reportAddress[(at + 1)..].Split('!', '?')[0]);
    }

    private static string DmarcName(string domain) => "_dmarc." + domain;
}
