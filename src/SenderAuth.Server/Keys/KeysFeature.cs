using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Keys;

/// <summary>DKIM keys at rest: sealed under the master key (configuration or the data folder), opened when signing.</summary>
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
}
