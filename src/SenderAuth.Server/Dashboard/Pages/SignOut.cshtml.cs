using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>Ends the session; a POST with the antiforgery token, so another site cannot sign a user out.</summary>
public sealed class SignOutModel(SecurityAudit audit) : DashboardPage
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await audit.RecordAsync(HttpContext, AuditActions.SessionSignOut, "dashboard", null).ConfigureAwait(false);
        await HttpContext.SignOutAsync(DashboardSetup.Scheme).ConfigureAwait(false);
        return Redirect("/dashboard/signin");
    }
}
