using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SenderAuth.Json;

namespace SenderAuth.Server.Hosting;

/// <summary>Ready = the database answers and the provider zone has been published by this instance, the last publish included.</summary>
public sealed class ReadinessCheck(IServiceScopeFactory scopes, ZonePublishingService publishing) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return HealthCheckResult.Unhealthy("the database does not answer");
        }
        if (publishing.Current is not { } zone)
        {
            return HealthCheckResult.Unhealthy(publishing.LastFailure is { } failure
                ? $"the provider zone could not be published ({failure}); retrying in the background"
                : "the provider zone has not been published yet");
        }
        return publishing.LastFailure is { } later
            ? HealthCheckResult.Unhealthy($"the last publish of the provider zone failed ({later}); serial {zone.Serial} is still served; retrying in the background")
            : HealthCheckResult.Healthy($"zone serial {zone.Serial} published by {SenderAuthJson.Token(publishing.PublisherKind)}");
    }
}
