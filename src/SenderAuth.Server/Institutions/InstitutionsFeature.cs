using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Institutions;

/// <summary>Institutions: the tenants, their unsigned-mail policy and their quotas; endpoints only (the rows are the store's).</summary>
public static class InstitutionsFeature
{
    public static IServiceCollection AddInstitutions(this IServiceCollection services)
    {
        services.AddSectionValidator<QuotaOptions, QuotaOptionsValidator>(o => o.Quotas);
        services.AddSingleton<IValidateOptions<ServerOptions>, QuotaAgreementValidator>();
        return services;
    }

    public static RouteGroupBuilder MapInstitutions(this RouteGroupBuilder api)
    {
        InstitutionEndpoints.Map(api);
        return api;
    }
}
