using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>One institution and its domains; another institution's page is 404, as in the API (Scope).</summary>
public sealed class InstitutionModel(SenderAuthDb db, IOptions<DashboardOptions> dashboard) : DashboardPage
{
    public Institution Institution { get; private set; } = null!;

    public DomainTableModel Table { get; private set; } = null!;

    public string? Q { get; private set; }

    public async Task<IActionResult> OnGetAsync(string code, string? q, int? page)
    {
        if (!(await Scope.InstitutionAsync(db, Caller, code, HttpContext.RequestAborted).ConfigureAwait(false)).TryGet(out var institution, out _))
        {
            return NotFound();
        }
        Institution = institution;
        Q = q;
        var rows = await OverviewQuery.DomainsAsync(db, Caller, Institution.Id, q, PageRequest.Clamp(page, dashboard.Value.PageSize), HttpContext.RequestAborted).ConfigureAwait(false);
        Table = new DomainTableModel(rows, q, ShowInstitution: false);
        return Page();
    }
}
