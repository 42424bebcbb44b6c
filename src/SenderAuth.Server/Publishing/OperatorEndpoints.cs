using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SenderAuth.Json;

namespace SenderAuth.Server.Publishing;

/// <summary>The provider zone (the audit log is under Access).</summary>
public static class OperatorEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/provider-zone", ZoneAsync).RequireScope(ApiScope.Read).WithTags("Provider zone").Produces<string>(200, "text/dns")
            .WithSummary("The provider zone as a master file, as published (operator)");
        api.MapPost("/provider-zone/publish", PublishAsync).RequireScope(ApiScope.Admin).WithTags("Provider zone").WithSummary("Publish the provider zone again now (operator)");
    }

    /// <summary>What POST /provider-zone/publish answers: who published it (builtin, rfc2136, file), the serial and the record count.</summary>
    public sealed record ZonePublished(PublishingMode Publisher, uint Serial, int Records);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ZoneAsync(HttpContext http, ZonePublishingService publishing)
    {
        if (Scope.RequireOperator(Caller.From(http)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var zone = publishing.Current ?? await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Text(ZoneFilePublisher.Render(zone), "text/dns; charset=utf-8");
    }

    private static async Task<Results<Ok<ZonePublished>, ProblemHttpResult>> PublishAsync(HttpContext http, ZonePublishingService publishing, SecurityAudit audit)
    {
        if (Scope.RequireOperator(Caller.From(http)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        var zone = await publishing.PublishAsync(http.RequestAborted).ConfigureAwait(false);
        await audit.RecordAsync(http, AuditActions.ZonePublish, zone.Origin, $"serial {zone.Serial}, {zone.Records.Count} records, by {SenderAuthJson.Token(publishing.PublisherKind)}").ConfigureAwait(false);
        return TypedResults.Ok(new ZonePublished(publishing.PublisherKind, zone.Serial, zone.Records.Count));
    }
}
