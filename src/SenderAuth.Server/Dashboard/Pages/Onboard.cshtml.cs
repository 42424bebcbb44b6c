using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Server.Api;
using SenderAuth.Server.Data;
using SenderAuth.Server.Onboarding;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>
/// The wizard's first step: the institution (an operator may register a new one) and the domain. Creation goes
/// through the API's own code paths (InstitutionEndpoints, DomainService), so the rules and the audit are the same.
/// </summary>
public sealed class OnboardModel(SenderAuthDb db, DomainService domains, TimeProvider time) : DashboardPage
{
    public string? Institution { get; private set; }
    public string? Name { get; private set; }
    public string? Domain { get; private set; }
    public bool CustomMailFrom { get; private set; }
    public string? Error { get; private set; }
    public string? ErrorField { get; private set; }
    public IReadOnlyList<string> Codes { get; private set; } = [];

    public async Task OnGetAsync(string? institution)
    {
        Institution = institution;
        await FillAsync().ConfigureAwait(false);
    }

    public async Task<IActionResult> OnPostAsync(string? institution, string? name, string? domain, bool customMailFrom)
    {
        (Institution, Name, Domain, CustomMailFrom) = (institution?.Trim().ToLowerInvariant(), name, domain, customMailFrom);
        var ct = HttpContext.RequestAborted;
        try
        {
            var row = Caller.IsOperator ? await db.Institutions.FirstOrDefaultAsync(i => i.Code == Institution, ct).ConfigureAwait(false) : null;
            if (row is null && Caller.IsOperator && !string.IsNullOrWhiteSpace(name))
            {
                row = await InstitutionEndpoints.CreateInstitutionAsync(db, time, Caller, new CreateInstitutionRequest(Institution, name, null), ct).ConfigureAwait(false);
            }
            else if (row is null && Caller.IsOperator)
            {
                throw new ApiException(400, $"there is no institution \"{Institution}\": give its name to register it", "name");
            }
            // An institution account always works in its own institution, whatever the form says.
            row ??= await db.Institutions.FirstAsync(i => i.Id == Caller.InstitutionId, ct).ConfigureAwait(false);
            var (created, _) = await domains.CreateAsync(row, Caller, domain ?? "", customMailFrom, ct).ConfigureAwait(false);
            return Redirect($"/dashboard/institutions/{row.Code}/domains/{created.Name}/setup?notice=created");
        }
        catch (ApiException e) when (e.Status is 400 or 403 or 409)
        {
            Error = e.Message;
            ErrorField = e.Field;
            Response.StatusCode = e.Status;
            await FillAsync().ConfigureAwait(false);
            return Page();
        }
    }

    private async Task FillAsync()
    {
        if (Caller.IsOperator)
        {
            // A hint list for the code field; beyond 500 institutions the operator types the code.
            Codes = await db.Institutions.AsNoTracking().OrderBy(i => i.Code).Select(i => i.Code).Take(500).ToListAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            Institution = await db.Institutions.AsNoTracking().Where(i => i.Id == Caller.InstitutionId).Select(i => i.Code).FirstAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
