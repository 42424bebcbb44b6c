using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>The overview: every domain the account may see, those needing attention first, then the institutions.</summary>
public sealed class IndexModel(SenderAuthDb db, IOptions<DashboardOptions> dashboard) : DashboardPage
{
    public string? Q { get; private set; }

    public DomainTableModel Table { get; private set; } = null!;

    public Paged<InstitutionRow> Institutions { get; private set; } = null!;

    public async Task OnGetAsync(string? q, int? page, int? ipage)
    {
        Q = q;
        var size = dashboard.Value.PageSize;
        var domains = await OverviewQuery.DomainsAsync(db, Caller, null, q, Math.Max(1, page ?? 1), size, HttpContext.RequestAborted).ConfigureAwait(false);
        Table = new DomainTableModel(domains, q, ShowInstitution: true);
        Institutions = await OverviewQuery.InstitutionsAsync(db, Caller, q, Math.Max(1, ipage ?? 1), size, HttpContext.RequestAborted).ConfigureAwait(false);
    }
}

public sealed record DomainTableModel(Paged<DomainRow> Rows, string? Q, bool ShowInstitution);

public sealed record PagerModel(int Page, int Pages, string Parameter, string? Q, string Label);
