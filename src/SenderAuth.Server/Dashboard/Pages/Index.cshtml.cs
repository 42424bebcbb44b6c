using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>The overview: every domain the account may see, those needing attention first, then the institutions.</summary>
public sealed class IndexModel(SenderAuthDb db, IOptions<DashboardOptions> dashboard) : DashboardPage
{
    public string? Q { get; private set; }

    public DomainTableModel Table { get; private set; } = null!;

    public PagedList<InstitutionRow> Institutions { get; private set; } = null!;

    public async Task OnGetAsync(string? q, int? page, int? ipage)
    {
        Q = q;
        var size = dashboard.Value.PageSize;
        var domains = await OverviewQuery.DomainsAsync(db, Caller, null, q, PageRequest.Clamp(page, size), HttpContext.RequestAborted).ConfigureAwait(false);
        Table = new DomainTableModel(domains, q, ShowInstitution: true);
        Institutions = await OverviewQuery.InstitutionsAsync(db, Caller, q, PageRequest.Clamp(ipage, size), HttpContext.RequestAborted).ConfigureAwait(false);
    }
}

public sealed record DomainTableModel(PagedList<DomainRow> Rows, string? Q, bool ShowInstitution);

public sealed record PagerModel(int Page, int Pages, string Parameter, string? Q, string Label)
{
    /// <summary>The pager under a list: the page shown and how many there are, linked through <paramref name="parameter"/>.</summary>
    public static PagerModel Of<T>(PagedList<T> list, string parameter, string? q, string label)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new(list.Page, PageRequest.PageCount(list.Total, list.PageSize), parameter, q, label);
    }
}
