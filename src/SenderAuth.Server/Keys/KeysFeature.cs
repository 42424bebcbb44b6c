using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Keys;

/// <summary>
/// DKIM keys: at rest sealed under the master key (configuration or the data folder), opened when signing; a domain's
/// keys and its rotation through the API (the rotator that carries a rotation out is Monitoring's).
/// </summary>
public static class KeysFeature
{
    public static IServiceCollection AddKeys(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            return new KeyProtector(MasterKeySource.Load(o.MasterKey, o.DataDirectory, sp.GetRequiredService<ILoggerFactory>().CreateLogger("SenderAuth.MasterKey")));
        });
        services.AddSingleton<KeyStore>();
        services.AddHostedService<MasterKeyPlacement>();
        return services;
    }

    public static RouteGroupBuilder MapKeys(this RouteGroupBuilder api)
    {
        KeyEndpoints.Map(api);
        RotationEndpoints.Map(api);
        return api;
    }
}
