using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace SenderAuth.Server.Metrics;

/// <summary>
/// Metrics through OpenTelemetry: the server's meter (<see cref="ServerMetrics"/>), ASP.NET Core's (HTTP request
/// duration, active requests) and Kestrel's (connections), read by two exporters side by side: Prometheus' pull at
/// /metrics (OpenTelemetry.Exporter.Prometheus.AspNetCore, the same SDK and version as the OTLP exporter, so one
/// pipeline feeds both) and OTLP push when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class MetricsFeature
{
    public const string Path = "/metrics";

    public static IServiceCollection AddServerMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSectionValidator<MetricsOptions, MetricsOptionsValidator>(o => o.Metrics);
        services.PostConfigure<ServerOptions>(o => o.Metrics.ApplyDefaults());
        // The institution label's bound for ServerMetrics (the store's, which has no ServerOptions to read it from).
        services.AddSingleton(sp => new InstitutionLabels(sp.GetRequiredService<IOptions<MetricsOptions>>().Value.MaxInstitutionLabels));
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<BacklogSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<BacklogSampler>());
        var metrics = services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not null)
        {
            metrics.WithMetrics(m => m.AddOtlpExporter());
        }
        return services;
    }

    /// <summary>
    /// GET /metrics for the clients of <see cref="MetricsOptions.AllowedNetworks"/>, no API key (a scraper holds
    /// none); any other client gets 403 as problem details. Put after the forwarded-headers step, so that behind a
    /// trusted proxy the judged address is the client's. Off (404, as any unknown path) when Metrics:Prometheus is false.
    /// </summary>
    public static WebApplication UseMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>();
        var allowed = new Lazy<List<System.Net.IPNetwork>>(() => NetworkList.Parse(options.Value.AllowedNetworks, out _));
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: http => options.Value.Prometheus && http.Request.Path == Path,
            path: null,
            configureBranchedPipeline: branch => branch.Use(async (http, next) =>
            {
                if (http.Connection.RemoteIpAddress is { } client && NetworkList.Contains(allowed.Value, client))
                {
                    await next(http).ConfigureAwait(false);
                    return;
                }
                await ErrorResponses.Problem(new ServiceError.Refused(
                    $"{http.Connection.RemoteIpAddress} may not read the metrics: only clients in {MetricsOptions.Section}:AllowedNetworks may"), http)
                    .ExecuteAsync(http).ConfigureAwait(false);
            }),
            optionsName: null);
        return app;
    }
}
