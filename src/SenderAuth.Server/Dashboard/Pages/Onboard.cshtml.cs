using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>
/// The wizard's first step: the institution (an operator may register a new one) and the domain. Creation goes
/// through the API's own code paths (InstitutionEndpoints, DomainRegistration), so the rules and the audit are the same.
/// </summary>
public sealed class OnboardModel(SenderAuthDb db, DomainRegistration domains, TimeProvider time) : DashboardPage
{
    public string? Institution { get; private set; }
    public string? Name { get; private set; }
    public string? Domain { get; private set; }
    public bool CustomMailFrom { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<string> Codes { get; private set; } = [];

    /// <summary>Whether a refusal named this form field (its ModelState key): the view marks the input invalid.</summary>
    public bool IsInvalid(string field) => ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0;

    public async Task<IActionResult> OnGetAsync(string? institution)
    {
        if (RequireManage() is { } readOnly)
        {
            return Refuse(readOnly);
        }
        Institution = institution;
        await FillAsync().ConfigureAwait(false);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? institution, string? name, string? domain, bool customMailFrom)
    {
        if (RequireManage() is { } readOnly)
        {
            return Refuse(readOnly);
        }
        (Institution, Name, Domain, CustomMailFrom) = (institution?.Trim().ToLowerInvariant(), name, domain, customMailFrom);
        var ct = HttpContext.RequestAborted;
        var row = Caller.IsOperator ? await db.Institutions.FirstOrDefaultAsync(i => i.Code == Institution, ct).ConfigureAwait(false) : null;
        if (row is null && Caller.IsOperator)
        {
            if (!Caller.Has(ApiScope.Admin))
            {
                return await RefusedAsync(new ServiceError.Refused($"there is no institution \"{Institution}\", and registering one needs the admin scope"), InstitutionField).ConfigureAwait(false);
            }
            if (string.IsNullOrWhiteSpace(name))
            {
                return await RefusedAsync(new ServiceError.Invalid($"there is no institution \"{Institution}\": give its name to register it", "name"), InstitutionField).ConfigureAwait(false);
            }
            if (!(await InstitutionEndpoints.CreateInstitutionAsync(db, time, Caller, new CreateInstitutionRequest(Institution, name, null), ct).ConfigureAwait(false)).TryGet(out row, out var error))
            {
                return await RefusedAsync(error, InstitutionField).ConfigureAwait(false);
            }
        }
        // An institution account always works in its own institution, whatever the form says.
        row ??= await db.Institutions.FirstAsync(i => i.Id == Caller.InstitutionId, ct).ConfigureAwait(false);
        if (!(await domains.CreateAsync(row, Caller, domain ?? "", customMailFrom, ct).ConfigureAwait(false)).TryGet(out var created, out var refused))
        {
            // The API's "name" of a domain is this form's "domain" input.
            return await RefusedAsync(refused, field => field == "name" ? "domain" : field).ConfigureAwait(false);
        }
        return Redirect($"/dashboard/institutions/{row.Code}/domains/{created.Domain.Name}/setup?notice=created");
    }

    /// <summary>The API's fields of an institution as this form names them: its code is the "institution" input.</summary>
    private static string InstitutionField(string field) => field == "code" ? "institution" : field;

    /// <summary>
    /// The form again, with the refusal above it; an error about one field also lands on that input (its ModelState
    /// key), and the page answers with the API's status for the same refusal.
    /// </summary>
    private async Task<IActionResult> RefusedAsync(ServiceError error, Func<string, string> formField)
    {
        Error = error.Detail;
        var field = error switch
        {
            ServiceError.Invalid e => e.Field,
            ServiceError.Conflict e => e.Field,
            _ => null,
        };
        if (field is not null)
        {
            ModelState.AddModelError(formField(field), error.Detail);
        }
        ErrorResponses.Answer(Response, error);
        await FillAsync().ConfigureAwait(false);
        return Page();
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
