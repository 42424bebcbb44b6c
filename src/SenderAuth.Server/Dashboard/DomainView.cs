using SenderAuth.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Check;
using SenderAuth.Onboarding;

namespace SenderAuth.Server.Dashboard;

/// <summary>One record to publish with what the last check saw of it.</summary>
/// <param name="Verdict">The verdict of the findings about it (<see cref="DomainCheckReport.VerdictOf"/>); null when no check ran yet.</param>
public sealed record RecordStatus(RecordToPublish Record, AreaVerdict? Verdict, IReadOnlyList<CheckFinding> Findings)
{
    /// <summary>True when the last check found it published (with or without a warning).</summary>
    public bool Published => Verdict is AreaVerdict.Ok or AreaVerdict.Warning;

    /// <summary>The status as a sentence for people.</summary>
    public string Words => Verdict switch
    {
        AreaVerdict.Ok => Record.Action == RecordAction.Keep ? "published and correct (nothing to change)" : "published and correct",
        AreaVerdict.Warning => "published, with a warning",
        AreaVerdict.Error => "missing or wrong",
        AreaVerdict.Unknown => "could not check: DNS did not answer",
        _ => "not checked yet",
    };
}

/// <summary>A past check in the history: when, the outcome, and how many errors it found.</summary>
public sealed record CheckSummary(DateTime At, bool Passed, bool DkimDelegated, bool Incomplete, int Errors, int Warnings, string? FirstError);

/// <summary>Everything the domain page and the onboarding steps show, read through the same services as the API.</summary>
public sealed class DomainView
{
    public required Institution Institution { get; init; }
    public required SenderDomain Domain { get; init; }
    public required IReadOnlyList<RecordStatus> Records { get; init; }
    public required string ZoneFragment { get; init; }
    public required CheckRun? Latest { get; init; }
    public required IReadOnlyList<CheckFinding> LatestFindings { get; init; }
    public required RotationStatus Rotation { get; init; }
    /// <summary>The Ed25519 signature beside the RSA one (its CNAMEs are among the records when it is on).</summary>
    public required Ed25519Status Ed25519 { get; init; }
    public required IReadOnlyList<DkimKey> Keys { get; init; }
    public required IReadOnlyList<CheckSummary> Checks { get; init; }
    public required IReadOnlyList<DomainTransition> Transitions { get; init; }
    public required DateTime Now { get; init; }

    public IEnumerable<CheckFinding> Dnssec => LatestFindings.Where(f => f.Area == CheckArea.Dnssec);

    /// <summary>The DNSSEC verdict in one word: secure, insecure, bogus, unknown or not checked.</summary>
    public string DnssecStatus
    {
        get
        {
            var own = Dnssec.FirstOrDefault(f => f.Subject == Domain.Name);
            return Latest is null ? "not checked yet" : own?.Code switch
            {
                CheckCodes.DnssecSecure => "secure",
                CheckCodes.DnssecNoDs or CheckCodes.DnssecUnsigned => "insecure",
                CheckCodes.DnssecBogus => "bogus",
                null => "not checked",
                _ => "unknown",
            };
        }
    }

    /// <summary>Findings not shown next to a record (e.g. provider-side key problems): listed under the records.</summary>
    public IEnumerable<CheckFinding> Other => LatestFindings.Where(f => f.Area != CheckArea.Dnssec && !Records.Any(r => r.Findings.Contains(f)));

    public bool CanEnableSigning => Latest is { DkimDelegated: true, Incomplete: false } && !Domain.SigningEnabled;

    public static async Task<DomainView> LoadAsync(SenderAuthDb db, DomainRecords domains, ProviderOptions provider, TimeProvider time,
        Institution institution, SenderDomain domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        // The records as last computed (the check refreshes them); computed now only when never stored, since
        // computing reads the domain's SPF from DNS and a page view should not wait on DNS.
        var records = domain.ExpectedRecordsJson is { } json
            ? JsonSerializer.Deserialize<List<RecordToPublish>>(json, SenderAuthJson.Options) ?? []
            : [.. (await domains.RecordsAsync(institution, domain, ct).ConfigureAwait(false)).Records];
        var runs = await db.CheckRuns.AsNoTracking().Where(c => c.DomainId == domain.Id).OrderByDescending(c => c.Id).Take(10).ToListAsync(ct).ConfigureAwait(false);
        var latest = runs.FirstOrDefault();
        var findings = latest is null ? [] : Findings(latest);
        // The Ed25519 pair's keys too, whenever it has some.
        var targets = provider.DomainKeyTargets(institution.Code, domain.Name, ed25519: true).ToList();
        var keys = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id && targets.Contains(k.TargetName)).OrderBy(k => k.Id).ToListAsync(ct).ConfigureAwait(false);
        var transitions = await db.Transitions.AsNoTracking().Where(t => t.DomainId == domain.Id).OrderByDescending(t => t.Id).Take(10).ToListAsync(ct).ConfigureAwait(false);
        return new DomainView
        {
            Institution = institution,
            Domain = domain,
            Records = records.Select(r => Status(r, latest, findings)).ToList(),
            ZoneFragment = new PublishPlan(domain.Name, records, []).ZoneFragment,
            Latest = latest,
            LatestFindings = findings,
            Rotation = await RotationEndpoints.StatusAsync(db, provider, institution, domain, ct).ConfigureAwait(false),
            Ed25519 = await DomainEd25519.StatusAsync(db, provider, institution, domain, ct).ConfigureAwait(false),
            Keys = keys,
            Checks = runs.Select(r =>
            {
                var f = r == latest ? findings : Findings(r);
                return new CheckSummary(r.At, r.Passed, r.DkimDelegated, r.Incomplete,
                    f.Count(x => x.Severity == FindingSeverity.Error && !x.Temporary), f.Count(x => x.Severity == FindingSeverity.Warning),
                    f.FirstOrDefault(x => x.Severity == FindingSeverity.Error)?.Message);
            }).ToList(),
            Transitions = transitions,
            Now = time.GetUtcNow().UtcDateTime,
        };
    }

    private static List<CheckFinding> Findings(CheckRun run) => StoredFindings.Read(run.FindingsJson);

    /// <summary>
    /// The findings about one record: those of its area at its name (or, for a DKIM CNAME, at the target it points
    /// to); SPF and DMARC have one record each, so every finding of the area is about it.
    /// </summary>
    private static RecordStatus Status(RecordToPublish record, CheckRun? latest, List<CheckFinding> findings)
    {
        if (latest is null)
        {
            return new RecordStatus(record, null, []);
        }
        var area = record.Purpose switch
        {
            RecordPurpose.Spf => CheckArea.Spf,
            RecordPurpose.Dkim => CheckArea.Dkim,
            RecordPurpose.Dmarc => CheckArea.Dmarc,
            _ => CheckArea.MailFrom,
        };
        var target = record.Value.TrimEnd('.');
        var mine = findings.Where(f => f.Area == area && (area is CheckArea.Spf or CheckArea.Dmarc
            || string.Equals(f.Subject, record.Name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(f.Subject, target, StringComparison.OrdinalIgnoreCase))).ToList();
        return new RecordStatus(record, DomainCheckReport.VerdictOf(mine), mine);
    }
}
