using Microsoft.Extensions.Options;
using SenderAuth.Dmarc;

namespace SenderAuth.Server.Domains;

/// <summary>Sender domains: registration, the records to publish, checks, signing on and off, ownership claims (a domain's keys are in Keys/).</summary>
public static class DomainsFeature
{
    public static IServiceCollection AddDomains(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<ServerOptions>, DomainOptionsValidator>();
        // Read once, on first use: the validator has made sure the file exists by then.
        services.AddSingleton(sp => PublicSuffixList.LoadOrBuiltIn(sp.GetRequiredService<IOptions<ServerOptions>>().Value.Domains.PublicSuffixList));
        services.AddScoped<DomainService>();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ServerOptions>, RetentionOptionsValidator>();
        services.AddSingleton<DeletionPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<DeletionPurger>());
        return services;
    }

    public static RouteGroupBuilder MapDomains(this RouteGroupBuilder api)
    {
        DomainEndpoints.Map(api);
        DomainClaimEndpoints.Map(api);
        return api;
    }
}
