using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>API-key sign-in: the key is checked against the stored hashes, like the API's Authorization header, and opens a cookie session.</summary>
/// <remarks>
/// Failed sign-ins are limited per client address and per account (the key's visible prefix), so one client's
/// failures lock out only that client, and logged (<see cref="ClientThrottle"/>).
/// </remarks>
public sealed class SignInModel(SenderAuthDb db, ClientThrottle throttle, SecurityAudit audit) : PageModel
{
    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        var trimmed = key?.Trim() ?? "";
        var bucket = ClientAddress.Of(HttpContext);
        var account = ApiKeyFormat.Visible(trimmed);
        if (throttle.SignInRefusal(bucket, account) is { } refusal)
        {
            return Refuse(refusal);
        }
        var caller = trimmed.Length is > 0 and <= 200 ? await ApiKeyAuthenticationHandler.FindAsync(db, trimmed, HttpContext.RequestAborted).ConfigureAwait(false) : null;
        var client = Caller.ClientAddress(HttpContext);
        if (caller is null)
        {
            throttle.SignInFailed(bucket, account);
            await audit.RecordAsync("anonymous", null, client, null, AuditActions.SessionSignInFailed, "dashboard",
                trimmed.Length == 0 ? "no key given" : $"unknown or revoked API key {ApiKeyFormat.Visible(trimmed)}…", throttle: true, HttpContext.RequestAborted).ConfigureAwait(false);
            return Refuse(new ServiceError.Unauthenticated("That key is not valid: it is unknown or was revoked."));
        }
        if (!caller.Has(ApiScope.Read))
        {
            // A sending application's key (sign only) has no business in the dashboard: it would see the institution's data.
            await audit.RecordAsync(caller.Actor, caller.KeyId, client, caller.InstitutionId, AuditActions.SessionSignInRefused, "dashboard",
                $"the key holds {ApiScopes.List(caller.Scopes)}; the dashboard needs read", throttle: true, HttpContext.RequestAborted).ConfigureAwait(false);
            return Refuse(new ServiceError.Refused("That key may only sign messages: the dashboard needs a key with the read scope."));
        }
        await HttpContext.SignInAsync(DashboardSetup.Scheme, ApiKeyAuthenticationHandler.Principal(caller, DashboardSetup.Scheme)).ConfigureAwait(false);
        await audit.RecordAsync(caller.Actor, caller.KeyId, client, caller.InstitutionId, AuditActions.SessionSignIn, "dashboard", $"scopes {ApiScopes.List(caller.Scopes)}", throttle: false, HttpContext.RequestAborted).ConfigureAwait(false);
        // Only our own pages: a return URL elsewhere would make sign-in an open redirect.
        return LocalRedirect(ReturnUrl is { } r && Url.IsLocalUrl(r) && r.StartsWith("/dashboard", StringComparison.Ordinal) ? r : "/dashboard");
    }

    /// <summary>The form again with the reason, answered with the API's status for the same refusal (401, 403, 429 and Retry-After).</summary>
    private PageResult Refuse(ServiceError error)
    {
        Error = error.Detail;
        ErrorResponses.Answer(Response, error);
        return Page();
    }
}
