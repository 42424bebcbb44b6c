using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SenderAuth.Server.Dashboard;

/// <summary>What every signed-in page has: the caller, read from the session's claims exactly as the API reads a key's.</summary>
public abstract class DashboardPage : PageModel
{
    public Caller Caller => Caller.From(HttpContext);

    /// <summary>Whether the session's key may change domains; without it the pages are read-only (forms hidden, POSTs 403).</summary>
    public bool CanManage => Caller.Has(ApiScope.ManageDomains);

    /// <summary>Where a refusal's reason waits for the status page, which the status-code middleware re-executes on the same request.</summary>
    internal const string RefusalKey = "SenderAuth.Dashboard.Refusal";

    /// <summary>The refusal of a change by a read-only session, worded as the API refuses the same key; null when it may manage.</summary>
    protected ServiceError? RequireManage() => CanManage ? null : ScopeRefusalHandler.MissingScope(Caller, ApiScope.ManageDomains);

    /// <summary>
    /// Refuses the whole page or action: the status the API gives the same refusal (<see cref="ErrorResponses.Status"/>, the
    /// one map) and the dashboard's status page, which names the reason. A refusal about one form field goes on that
    /// field instead (the onboarding form's).
    /// </summary>
    protected IActionResult Refuse(ServiceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        HttpContext.Items[RefusalKey] = error.Detail;
        return StatusCode(ErrorResponses.Status(error));
    }

    /// <summary>A short confirmation after a redirect (?notice=…), from a fixed list so no text comes from the URL.</summary>
    public string? Notice => Request.Query["notice"].ToString() switch
    {
        "created" => "The domain is registered and its DKIM keys are published on our side. Publish the records below at your DNS host.",
        "checked" => "Checked just now.",
        "signing-on" => "Signing is on: mail from this domain is signed with its own DKIM key.",
        "signing-off" => "Signing is off.",
        "rotation" => "Rotation requested: it starts at the next scheduler tick.",
        _ => null,
    };
}
