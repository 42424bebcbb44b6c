using Microsoft.AspNetCore.Mvc;
using SenderAuth.Check;

namespace SenderAuth.Server.Dashboard;

/// <summary>
/// The domain page and the onboarding steps: load a domain through the API's scoping (another institution's domain
/// is 404), run the check, switch signing, all through the domain services (<see cref="DomainChecks"/>, <see cref="DomainSigning"/>) like the API's endpoints.
/// </summary>
public abstract class DomainPageBase(SenderAuthDb db, DomainChecks checks, DomainRecords records, DomainSigning signing, ProviderOptions provider, TimeProvider time) : DashboardPage
{
    public DomainView View { get; private set; } = null!;

    /// <summary>Why signing stayed off after "turn signing on" (the API's findings for the same refusal).</summary>
    public IReadOnlyList<CheckFinding> Blocking { get; private set; } = [];

    /// <summary>Any other refusal of "turn signing on" (no key served yet), as the API words it.</summary>
    public string? Error { get; private set; }

    public Task<IActionResult> OnGetAsync(string code, string domain) => LoadAsync(code, domain);

    public async Task<IActionResult> OnPostCheckAsync(string code, string domain)
    {
        if (RequireManage() is { } readOnly)
        {
            return Refuse(readOnly);
        }
        if (await ScopeAsync(code, domain).ConfigureAwait(false) is not ({ } institution, { } row))
        {
            return NotFound();
        }
        await checks.CheckAsync(institution, row, HttpContext.RequestAborted).ConfigureAwait(false);
        // The check reads what DNS serves now; the records (e.g. the SPF merge) are recomputed from the same answers.
        await records.RecordsAsync(institution, row, HttpContext.RequestAborted).ConfigureAwait(false);
        return Redirect($"{Request.Path}?notice=checked#status");
    }

    public async Task<IActionResult> OnPostSigningAsync(string code, string domain, bool enabled)
    {
        if (RequireManage() is { } readOnly)
        {
            return Refuse(readOnly);
        }
        if (await ScopeAsync(code, domain).ConfigureAwait(false) is not ({ } institution, { } row))
        {
            return NotFound();
        }
        if (!(await signing.SetSigningAsync(institution, row, Caller, enabled, HttpContext.RequestAborted).ConfigureAwait(false)).TryGet(out var on, out var error))
        {
            if (error is ServiceError.SigningBlocked blocked)
            {
                Blocking = blocked.Findings;
            }
            else
            {
                Error = error.Detail;
            }
            // The page answers with the API's status for the same refusal.
            ErrorResponses.Answer(Response, error);
            return await LoadAsync(code, domain).ConfigureAwait(false);
        }
        return Redirect($"/dashboard/institutions/{institution.Code}/domains/{row.Name}?notice={(on ? "signing-on" : "signing-off")}");
    }

    private async Task<IActionResult> LoadAsync(string code, string domain)
    {
        if (await ScopeAsync(code, domain).ConfigureAwait(false) is not ({ } institution, { } row))
        {
            return NotFound();
        }
        View = await DomainView.LoadAsync(db, records, provider, time, institution, row, HttpContext.RequestAborted).ConfigureAwait(false);
        return Page();
    }

    /// <summary>The API's scoping: another institution's domain, or a malformed name, is "not found".</summary>
    private async Task<(Institution, SenderDomain)?> ScopeAsync(string code, string domain) =>
        (await Scope.DomainAsync(db, Caller, code, domain, HttpContext.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out _) ? found : null;
}
