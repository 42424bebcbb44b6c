namespace SenderAuth.Server.Signing;

/// <summary>Signing: the one decision and bookkeeping path (API and milter), and the message endpoints.</summary>
public static class SigningFeature
{
    public static IServiceCollection AddSigning(this IServiceCollection services)
    {
        services.AddSectionOptions<SigningOptions>(o => o.Signing);
        services.AddSingleton<SigningService>();
        return services;
    }

    public static RouteGroupBuilder MapSigning(this RouteGroupBuilder api)
    {
        MessageEndpoints.Map(api);
        return api;
    }
}
