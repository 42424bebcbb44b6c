namespace SenderAuth.Server.Domains;

/// <summary>Sender domains: registration, the records to publish, checks, signing on and off, keys of a domain.</summary>
public static class DomainsFeature
{
    public static IServiceCollection AddDomains(this IServiceCollection services)
    {
        services.AddScoped<DomainService>();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ServerOptions>, RetentionOptionsValidator>();
        services.AddSingleton<DeletionPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<DeletionPurger>());
        return services;
    }

    public static RouteGroupBuilder MapDomains(this RouteGroupBuilder api)
    {
        DomainEndpoints.Map(api);
        return api;
    }
}
