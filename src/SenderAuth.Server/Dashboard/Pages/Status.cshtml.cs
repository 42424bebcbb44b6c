using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SenderAuth.Server.Dashboard.Pages;

/// <summary>The dashboard's error pages (re-executed by the status-code middleware, keeping the status).</summary>
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = "Error";

    public string Text { get; private set; } = "";

    /// <summary>The refused action's own reason (<see cref="DashboardPage.RefusalKey"/>), shown instead of the status's general text.</summary>
    public string? Reason { get; private set; }

    public void OnGet(int status)
    {
        Reason = HttpContext.Items[DashboardPage.RefusalKey] as string;
        (Title, Text) = Describe(status);
    }

    private static (string Title, string Text) Describe(int status) => status switch
    {
        // The same answer for what does not exist and what this account may not see: codes do not leak.
        StatusCodes.Status404NotFound => ("Not found", "There is no such page, or it belongs to an institution this account cannot see."),
        StatusCodes.Status400BadRequest => ("The form expired", "The form was stale or did not come from this dashboard. Go back, reload the page and try again."),
        StatusCodes.Status403Forbidden => ("Not allowed", "This needs an operator account."),
        StatusCodes.Status429TooManyRequests => ("Too many attempts", "Too many sign-in attempts from this address; wait a minute."),
        _ => ("Something went wrong", $"The server answered {status}. The error is logged."),
    };

    public void OnPost(int status) => OnGet(status);
}
