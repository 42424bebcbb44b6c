using Microsoft.Extensions.Options;
using SenderAuth.Dmarc;

namespace SenderAuth.Server.Domains;

/// <summary>Sender domains: registration, the records to publish, checks, signing on and off, ownership claims (a domain's keys are in Keys/).</summary>
public static class DomainsFeature
{
    public static IServiceCollection AddDomains(this IServiceCollection services)
    {
        services.AddSectionValidator<DomainOptions, DomainOptionsValidator>(o => o.Domains);
        // Read once, on first use: the validator has made sure the file exists by then.
        services.AddSingleton(sp => PublicSuffixList.LoadOrBuiltIn(sp.GetRequiredService<IOptions<DomainOptions>>().Value.PublicSuffixList));
        // One service per job on a domain, all scoped (they share the request's unit of work).
        services.AddScoped<DomainRecords>();
        services.AddScoped<DomainKeys>();
        services.AddScoped<DomainRegistration>();
        services.AddScoped<DomainOwnership>();
        services.AddScoped<DomainStateUpdates>();
        services.AddScoped<DomainChecks>();
        services.AddScoped<DomainSigning>();
        services.AddScoped<Ed25519Checks>();
        services.AddScoped<DomainEd25519>();
        services.AddScoped<DomainDeletion>();
        services.AddScoped<DomainTransfer>();
        services.AddSectionOptions(o => o.Retention);
        services.AddSingleton<DeletionPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<DeletionPurger>());
        return services;
    }

    public static RouteGroupBuilder MapDomains(this RouteGroupBuilder api)
    {
        DomainEndpoints.Map(api);
        Ed25519Endpoints.Map(api);
        DomainClaimEndpoints.Map(api);
        return api;
    }
}
