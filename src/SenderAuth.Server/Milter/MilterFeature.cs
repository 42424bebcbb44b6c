using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Milter;

/// <summary>The milter for Postfix and sendmail, hosted by the server: a listener, one session per connection.</summary>
public static class MilterFeature
{
    public static IServiceCollection AddMilter(this IServiceCollection services)
    {
        services.AddSectionValidator<MilterOptions, MilterOptionsValidator>(o => o.Milter);
        services.AddSingleton<MilterListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MilterListener>());
        return services;
    }
}
