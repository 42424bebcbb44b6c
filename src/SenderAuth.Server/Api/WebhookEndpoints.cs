using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Monitoring;
using SenderAuth.Server.Onboarding;

namespace SenderAuth.Server.Api;

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
        g.MapGet("/", ListAsync).Produces<List<WebhookDto>>().WithSummary("Webhooks the key may see (never their secrets)");
        g.MapPost("/", CreateAsync).Accepts<CreateWebhookRequest>("application/json").Produces<WebhookCreated>(201)
            .WithSummary("Register a webhook {url, institution}; the signing secret is shown once. Operators without institution: every institution's events");
        g.MapGet("/{id:long}", GetAsync).Produces<WebhookDto>();
        g.MapDelete("/{id:long}", DeleteAsync).Produces(204).WithSummary("Delete a webhook and its delivery log");
        g.MapGet("/{id:long}/deliveries", DeliveriesAsync).Produces<PagedList<WebhookDeliveryDto>>()
            .WithSummary("The delivery log, newest first: event, attempts, last status and error, delivered or given up, next attempt");
        g.MapPost("/{id:long}/test", TestAsync).Produces<WebhookTestQueued>(202).WithSummary("Queue a webhook.test event to this webhook only");
    }

    private static async Task<IResult> ListAsync(HttpContext http, SenderAuthDb db)
    {
        var caller = Caller.From(http.User);
        var query = db.Webhooks.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(w => w.InstitutionId == own);
        }
        var rows = await query.OrderBy(w => w.Id)
            .Select(w => new { Hook = w, Code = db.Institutions.Where(i => i.Id == w.InstitutionId).Select(i => i.Code).FirstOrDefault() })
            .ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(rows.Select(r => WebhookDto.From(r.Hook, r.Code)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SenderAuthDb db, TimeProvider time, KeyProtector protector)
    {
        var caller = Caller.From(http.User);
        var body = await RequestBody.ReadAsync<CreateWebhookRequest>(http.Request).ConfigureAwait(false);
        var url = ValidUrl(body.Url);
        Institution? institution = null;
        if (body.Institution is { } code)
        {
            institution = await Scope.InstitutionAsync(db, caller, code, http.RequestAborted).ConfigureAwait(false);
        }
        else if (caller.InstitutionId is { } own)
        {
            // An institution key's webhook is its institution's; only operators register for all institutions.
            institution = await db.Institutions.FirstAsync(i => i.Id == own, http.RequestAborted).ConfigureAwait(false);
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
        db.Record(time, caller, institution?.Id, "webhook.create", AuditSubject(url), institution is null ? "all institutions" : null);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/api/v1/webhooks/{hook.Id}", new WebhookCreated(hook.Id, url, institution?.Code, hook.CreatedAt, secret,
            "store this secret now: it is not shown again. Verify SenderAuth-Signature with it (see docs/server.md, Webhooks)"));
    }

    private static async Task<IResult> GetAsync(HttpContext http, SenderAuthDb db, long id)
    {
        var (hook, code) = await FindAsync(db, Caller.From(http.User), id, http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(WebhookDto.From(hook, code));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, SenderAuthDb db, TimeProvider time, long id)
    {
        var caller = Caller.From(http.User);
        var (hook, _) = await FindAsync(db, caller, id, http.RequestAborted).ConfigureAwait(false);
        db.Webhooks.Remove(hook);
        db.Record(time, caller, hook.InstitutionId, "webhook.delete", AuditSubject(hook.Url), $"webhook {hook.Id}");
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeliveriesAsync(HttpContext http, SenderAuthDb db, IOptions<ServerOptions> options, long id, int? page, int? pageSize)
    {
        var (p, size) = Scope.Paging(page, pageSize, options.Value.Limits.MaxPageSize);
        var (hook, _) = await FindAsync(db, Caller.From(http.User), id, http.RequestAborted).ConfigureAwait(false);
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == hook.Id);
        var total = await query.CountAsync(http.RequestAborted).ConfigureAwait(false);
        var rows = await query.OrderByDescending(d => d.Id).Skip((p - 1) * size).Take(size).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Ok(new PagedList<WebhookDeliveryDto>(rows.Select(WebhookDeliveryDto.From).ToList(), p, size, total));
    }

    private static async Task<IResult> TestAsync(HttpContext http, SenderAuthDb db, TimeProvider time, long id)
    {
        var caller = Caller.From(http.User);
        var (hook, code) = await FindAsync(db, caller, id, http.RequestAborted).ConfigureAwait(false);
        // "*" stands for all institutions: a webhook registered for all has no one institution to name.
        var e = new ServerEvent("webhook.test", code ?? "*", null, time.GetUtcNow().UtcDateTime, $"test event requested by {caller.Actor}");
        var delivery = WebhookOutbox.EnqueueTo(db, hook.Id, e);
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Accepted($"/api/v1/webhooks/{hook.Id}/deliveries", new WebhookTestQueued(delivery.Id, e.Event));
    }

    /// <summary>The webhook if the caller may see it: institution keys their institution's, operators every one.</summary>
    private static async Task<(Webhook Hook, string? Code)> FindAsync(SenderAuthDb db, Caller caller, long id, CancellationToken ct)
    {
        var hook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, ct).ConfigureAwait(false);
        if (hook is null || !(caller.IsOperator || hook.InstitutionId == caller.InstitutionId))
        {
            throw new ApiException(404, $"no webhook {id}");
        }
        var code = hook.InstitutionId is { } i
            ? await db.Institutions.Where(x => x.Id == i).Select(x => x.Code).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            : null;
        return (hook, code);
    }

    private static string ValidUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2000)
        {
            throw new ApiException(400, "url is required (an absolute http or https URL, at most 2000 characters)", "url");
        }
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new ApiException(400, $"url \"{text}\" is not an absolute http or https URL", "url");
        }
        if (uri.UserInfo.Length > 0)
        {
            // It would be stored and listed in clear; the signature is what authenticates SenderAuth to the receiver.
            throw new ApiException(400, "url must not carry a user name or password: verify SenderAuth-Signature instead", "url");
        }
        return uri.AbsoluteUri;
    }

    /// <summary>The audit subject column holds 300 characters; a URL may be longer.</summary>
    private static string AuditSubject(string url) => url.Length <= 300 ? url : url[..299] + "…";
}
