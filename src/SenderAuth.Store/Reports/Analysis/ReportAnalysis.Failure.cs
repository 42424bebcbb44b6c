using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>The failure reports of a domain in a window, as findings (see <see cref="FailureReportFindings"/>).</summary>
public sealed partial class ReportAnalysis
{
    /// <summary>Failure reports whose arrival (else import) day is in [from, to]; trusted ones only unless <see cref="IncludeUntrusted"/>.</summary>
    public async Task<IReadOnlyList<ReportFinding>> FailureFindingsAsync(Institution institution, SenderDomain domain, DateTime from, DateTime to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(domain);
        var end = to.Date.AddDays(1);
        var rows = await db.FailureReports.AsNoTracking()
            .Where(r => r.DomainId == domain.Id && (r.Trusted || IncludeUntrusted) && (r.ArrivalDate ?? r.ReceivedAt) >= from && (r.ArrivalDate ?? r.ReceivedAt) < end)
            .Select(r => new FailureReportFact(r.SourceIp, r.DkimDomain, r.DkimSelector, r.Reporter, r.AuthFailure))
            .ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return [];
        }
        var selectors = await db.Keys.AsNoTracking().Where(k => k.InstitutionId == institution.Id).Select(k => k.Selector).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var attribution = await AttributionAsync(institution.Id, ct).ConfigureAwait(false);
        return FailureReportFindings.Build(domain.Name, rows, attribution, selectors);
    }
}
