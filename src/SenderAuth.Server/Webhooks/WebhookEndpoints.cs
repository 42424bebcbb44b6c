using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// Webhooks and their delivery log. Institution keys manage their institution's webhooks; operators also those
/// of all institutions (no institution). Another institution's webhook answers 404, like one that does not exist.
/// </summary>
public static class WebhookEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/webhooks").WithTags("Webhooks");
        g.MapGet("/", ListAsync).RequireScope(ApiScope.Read).WithSummary("Webhooks the key may see, oldest first, paged (never their secrets)");
        g.MapPost("/", CreateAsync).RequireScope(ApiScope.Admin).Accepts<CreateWebhookRequest>("application/json")
            .WithSummary("Register a webhook {url, institution}; the signing secret is shown once. Operators without institution: every institution's events");
        g.MapGet("/{id:long}", GetAsync).RequireScope(ApiScope.Read);
        g.MapDelete("/{id:long}", DeleteAsync).RequireScope(ApiScope.Admin).WithSummary("Delete a webhook and its delivery log");
        g.MapGet("/{id:long}/deliveries", DeliveriesAsync).RequireScope(ApiScope.Read)
            .WithSummary("The delivery log, newest first: event, attempts, last status and error, delivered or given up, next attempt");
        g.MapPost("/{id:long}/test", TestAsync).RequireScope(ApiScope.Admin).WithSummary("Queue a webhook.test event to this webhook only");
    }

    private static async Task<Results<Ok<PagedList<WebhookDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        var caller = Caller.From(http);
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var query = db.Webhooks.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(w => w.InstitutionId == own);
        }
        var rows = await query.OrderBy(w => w.Id)
            .ToPagedListAsync(paging, w => new { Hook = w, Code = db.Institutions.Where(i => i.Id == w.InstitutionId).Select(i => i.Code).FirstOrDefault() }, http.RequestAborted)
            .ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(r => WebhookDto.From(r.Hook, r.Code)));
    }

    private static async Task<Results<Created<WebhookCreated>, ProblemHttpResult>> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, KeyProtector protector, WebhookAddressPolicy policy, IOptions<QuotaOptions> quotas)
    {
        var caller = Caller.From(http);
        if (!(await RequestBody.ReadAsync<CreateWebhookRequest>(http.Request).ConfigureAwait(false)).TryGet(out var body, out var error)
            || !ValidUrl(body.Url, policy).TryGet(out var url, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        Institution? institution = null;
        if (body.Institution is { } code)
        {
            if (!(await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false)).TryGet(out institution, out error))
            {
                return ErrorResponses.Problem(error, http);
            }
        }
        else if (caller.InstitutionId is { } own)
        {
            // An institution key's webhook is its institution's; only operators register for all institutions.
            institution = await db.Institutions.FirstAsync(i => i.Id == own, http.RequestAborted).ConfigureAwait(false);
        }
        if (institution is not null && await OverQuotaAsync(db, institution, quotas.Value, http.RequestAborted).ConfigureAwait(false) is { } quota)
        {
            return ErrorResponses.Problem(quota, http);
        }
        var secret = WebhookSignature.NewSecret();
        var hook = new Webhook
        {
            InstitutionId = institution?.Id,
            Url = url,
            SealedSecret = protector.Seal(Encoding.UTF8.GetBytes(secret), WebhookSender.SecretBinding(url)),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Webhooks.Add(hook);
        db.Record(time, caller, institution?.Id, AuditActions.WebhookCreate, AuditSubject(url), institution is null ? "all institutions" : null);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/webhooks/{hook.Id}", new WebhookCreated(hook.Id, url, institution?.Code, hook.CreatedAt, secret,
            "store this secret now: it is not shown again. Verify SenderAuth-Signature with it (see docs/server.md, Webhooks)"));
    }

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> GetAsync(HttpContext http, SenderAuthDb db, long id)
    {
        if (!(await FindAsync(db, Caller.From(http), id, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        return TypedResults.Ok(WebhookDto.From(found.Hook, found.Code));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, SenderAuthDb db, TimeProvider time, long id)
    {
        var caller = Caller.From(http);
        if (!(await FindAsync(db, caller, id, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var hook = found.Hook;
        db.Webhooks.Remove(hook);
        db.Record(time, caller, hook.InstitutionId, AuditActions.WebhookDelete, AuditSubject(hook.Url), $"webhook {hook.Id}");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PagedList<WebhookDeliveryDto>>, ProblemHttpResult>> DeliveriesAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, long id, int? page, int? pageSize)
    {
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error)
            || !(await FindAsync(db, Caller.From(http), id, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var hook = found.Hook;
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == hook.Id).OrderByDescending(d => d.Id)
            .ToPagedListAsync(paging, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(rows.Map(WebhookDeliveryDto.From));
    }

    private static async Task<Results<Accepted<WebhookTestQueued>, ProblemHttpResult>> TestAsync(HttpContext http, SenderAuthDb db, TimeProvider time, IOptions<QuotaOptions> quotas, long id)
    {
        var caller = Caller.From(http);
        if (!(await FindAsync(db, caller, id, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (hook, code) = found;
        if (await WebhookBacklog.FullAsync(db, hook.InstitutionId, code is null ? "the operator" : $"institution {code}", quotas.Value, http.RequestAborted).ConfigureAwait(false) is { } full)
        {
            return ErrorResponses.Problem(full, http);
        }
        // "*" stands for all institutions: a webhook registered for all has no one institution to name.
        var e = new ServerEvent(ServerEventType.WebhookTest, code ?? "*", null, time.GetUtcNow().UtcDateTime, $"test event requested by {caller.Actor}");
        var delivery = WebhookOutbox.EnqueueTo(db, hook.Id, e);
        db.Record(time, caller, hook.InstitutionId, AuditActions.WebhookTest, AuditSubject(hook.Url), $"webhook {hook.Id}");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/v1/webhooks/{hook.Id}/deliveries", new WebhookTestQueued(delivery.Id, e.Event));
    }

    /// <summary>An institution's webhooks are bounded: each one is a receiver the shared sender POSTs to on every event.</summary>
    private static async Task<ServiceError?> OverQuotaAsync(SenderAuthDb db, Institution institution, QuotaOptions quotas, CancellationToken ct)
    {
        var held = await db.Webhooks.CountAsync(w => w.InstitutionId == institution.Id, ct).ConfigureAwait(false);
        return held < quotas.MaxWebhooksPerInstitution ? null : new ServiceError.QuotaExceeded(
            $"institution {institution.Code} has {held} webhooks, the most one institution may register ({QuotaOptions.Section}:MaxWebhooksPerInstitution = {quotas.MaxWebhooksPerInstitution}): delete one first",
            $"{QuotaOptions.Section}:MaxWebhooksPerInstitution", quotas.MaxWebhooksPerInstitution);
    }

    /// <summary>The webhook if the caller may see it: institution keys their institution's, operators every one.</summary>
    private static async Task<Result<(Webhook Hook, string? Code)>> FindAsync(SenderAuthDb db, Caller caller, long id, CancellationToken ct)
    {
        var hook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, ct).ConfigureAwait(false);
        if (hook is null || !(caller.IsOperator || hook.InstitutionId == caller.InstitutionId))
        {
            return new ServiceError.NotFound($"no webhook {id}");
        }
        var code = hook.InstitutionId is { } i
            ? await db.Institutions.Where(x => x.Id == i).Select(x => x.Code).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            : null;
        return (hook, code);
    }

    private static Result<string> ValidUrl(string? text, WebhookAddressPolicy policy)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2000)
        {
            return new ServiceError.Invalid("url is required (an absolute http or https URL, at most 2000 characters)", "url");
        }
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return new ServiceError.Invalid($"url \"{text}\" is not an absolute http or https URL", "url");
        }
        if (uri.UserInfo.Length > 0)
        {
            // It would be stored and listed in clear; the signature is what authenticates SenderAuth to the receiver.
            return new ServiceError.Invalid("url must not carry a user name or password: verify SenderAuth-Signature instead", "url");
        }
        // A literal address is refused now, with the reason; a host name is checked on every connection (WebhookConnector).
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && policy.Refusal(literal) is { } why)
        {
            return new ServiceError.Invalid($"url host {uri.Host} is {why}: webhooks are delivered only to public addresses (an operator may allow a network in SenderAuth:Notifications:AllowedNetworks)", "url");
        }
        return uri.AbsoluteUri;
    }

    /// <summary>The audit subject column holds 300 characters; a URL may be longer.</summary>
    private static string AuditSubject(string url) => url.Length <= 300 ? url : url[..299] + "…";
}
