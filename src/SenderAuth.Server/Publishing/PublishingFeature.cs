using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// The provider zone and DNS: the configured publisher (built-in server, RFC 2136, zone file), the publishing service,
/// the resolver the checks read institutions' zones through, and the operator's provider-zone and audit endpoints.
/// </summary>
public static class PublishingFeature
{
    public static IServiceCollection AddPublishing(this IServiceCollection services)
    {
        services.AddSectionValidator<ProviderOptions, ProviderOptionsValidator>(o => o.Provider);
        services.AddSectionValidator<PublishingSettings, PublishingSettingsValidator>(o => o.Publishing);
        PublisherSetup.Add(services);
        services.AddSingleton<ZonePublishingService>();
        services.AddHostedService<ZonePublishRetry>();
        services.AddSectionValidator<ResolverOptions, ResolverOptionsValidator>(o => o.Resolver);
        services.AddSingleton(sp => ResolverSetup.Create(sp.GetRequiredService<IOptions<ResolverOptions>>().Value,
            sp.GetRequiredService<IOptions<ProviderOptions>>().Value, sp.GetRequiredService<IZonePublisher>()));
        services.AddSingleton(sp => ResolverSetup.Dnssec(sp.GetRequiredService<IOptions<ResolverOptions>>().Value));
        return services;
    }

    public static RouteGroupBuilder MapPublishing(this RouteGroupBuilder api)
    {
        OperatorEndpoints.Map(api);
        return api;
    }
}
