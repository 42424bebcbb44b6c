using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Publishing;

/// <summary>The provider zone and the audit log.</summary>
public static class OperatorEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/provider-zone", ZoneAsync).WithTags("Provider zone").Produces(200, contentType: "text/dns")
            .WithSummary("The provider zone as a master file, as published (operator)");
        api.MapPost("/provider-zone/publish", PublishAsync).WithTags("Provider zone").WithSummary("Publish the provider zone again now (operator)");
        api.MapGet("/audit", AuditAsync).WithTags("Audit").WithSummary("The audit log, newest first; institution keys see their institution's entries");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ZoneAsync(HttpContext http, ZonePublishingService publishing)
    {
        if (Scope.RequireOperator(Caller.From(http.User)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var zone = publishing.Current ?? await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Text(ZoneFilePublisher.Render(zone), "text/dns; charset=utf-8");
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> PublishAsync(HttpContext http, ZonePublishingService publishing)
    {
        if (Scope.RequireOperator(Caller.From(http.User)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var zone = await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok<object>(new { publisher = publishing.PublisherKind, serial = zone.Serial, records = zone.Records.Count });
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> AuditAsync(HttpContext http, SenderAuthDb db, IOptions<ServerOptions> options, int? page, int? pageSize)
    {
        var caller = Caller.From(http.User);
        if (!Scope.Paging(page, pageSize, options.Value.Limits.MaxPageSize).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var (p, size) = paging;
        var query = db.Audit.AsNoTracking();
        if (caller.InstitutionId is { } own)
        {
            query = query.Where(a => a.InstitutionId == own);
        }
        var total = await query.CountAsync(http.RequestAborted).ConfigureAwait(false);
        var items = await query.OrderByDescending(a => a.Id).Page(p, size)
            .Select(a => new { a.At, a.Actor, a.Action, a.Subject, a.Detail }).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok<object>(new { items, page = p, pageSize = size, total });
    }
}
