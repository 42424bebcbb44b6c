using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>API-key sign-in: the key is checked against the stored hashes, like the API's Authorization header, and opens a cookie session.</summary>
/// <remarks>
/// Failed sign-ins are limited per client address and per account (the key's visible prefix), so one client's
/// failures lock out only that client, and logged (<see cref="ClientThrottle"/>).
/// </remarks>
public sealed class SignInModel(SenderAuthDb db, ClientThrottle throttle) : PageModel
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
        var client = ClientAddress.Of(HttpContext);
        var account = ApiKeyFormat.Visible(trimmed);
        if (throttle.SignInRefusal(client, account) is { } refusal)
        {
            Error = refusal.Detail;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }
        var caller = trimmed.Length is > 0 and <= 200 ? await ApiKeyAuthenticationHandler.FindAsync(db, trimmed, HttpContext.RequestAborted).ConfigureAwait(false) : null;
        if (caller is null)
        {
            throttle.SignInFailed(client, account);
            Error = "That key is not valid: it is unknown or was revoked.";
            Response.StatusCode = 401;
            return Page();
        }
        await HttpContext.SignInAsync(DashboardSetup.Scheme, ApiKeyAuthenticationHandler.Principal(caller, DashboardSetup.Scheme)).ConfigureAwait(false);
        // Only our own pages: a return URL elsewhere would make sign-in an open redirect.
        return LocalRedirect(ReturnUrl is { } r && Url.IsLocalUrl(r) && r.StartsWith("/dashboard", StringComparison.Ordinal) ? r : "/dashboard");
    }
}
