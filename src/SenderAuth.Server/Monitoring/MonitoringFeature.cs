using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Monitoring;

/// <summary>Continuous re-checks, the domain state machine, key rotation with its canary, and the state history endpoint.</summary>
public static class MonitoringFeature
{
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddSectionValidator<MonitorOptions, MonitorOptionsValidator>(o => o.Monitoring);
        services.AddScoped<KeyRotator>();
        services.AddScoped<Canary>();
        services.AddSingleton<MonitorService>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorService>());
        return services;
    }

    public static RouteGroupBuilder MapMonitoring(this RouteGroupBuilder api)
    {
        HistoryEndpoints.Map(api);
        return api;
    }
}
