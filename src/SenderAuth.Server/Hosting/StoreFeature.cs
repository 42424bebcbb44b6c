using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Hosting;

/// <summary>The store (SenderAuth.Store), on the server's own validated options.</summary>
public static class StoreFeature
{
    /// <summary>
    /// The store reads <see cref="StoreOptions"/>; the server's are the same object as its <see cref="ServerOptions"/>,
    /// so one binding, one PostConfigure and one validation serve both.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services) => services
        .AddSingleton<IOptions<StoreOptions>>(sp => Options.Create<StoreOptions>(sp.GetRequiredService<IOptions<ServerOptions>>().Value))
        .AddSenderAuthStore();
}
