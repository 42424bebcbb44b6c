using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SenderAuth.Server.Hosting;

/// <summary>Ready = the database answers and the provider zone has been published by this instance.</summary>
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
        return publishing.Current is { } zone
            ? HealthCheckResult.Healthy($"zone serial {zone.Serial} published by {publishing.PublisherKind}")
            : HealthCheckResult.Unhealthy("the provider zone has not been published yet");
    }
}
