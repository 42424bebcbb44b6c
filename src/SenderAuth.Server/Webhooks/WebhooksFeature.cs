using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Webhooks;

/// <summary>Webhooks: the outbox written in the same transaction as the event, the sender, and the endpoints.</summary>
public static class WebhooksFeature
{
    /// <summary>The sender runs after StartupTasks (hosted services start in order), so it finds the database migrated.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSectionValidator<NotificationOptions, NotificationOptionsValidator>(o => o.Notifications);
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.TimeoutSeconds))
            // Redirects are not followed: they would lead to a URL the webhook's owner did not register, and a 3xx
            // recorded as a failure shows the owner what to fix.
            // Every connection goes through the address policy (WebhookConnector): after DNS, on every attempt.
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<WebhookConnector>().ConnectAsync,
            });
        services.AddSingleton(sp => WebhookAddressPolicy.From(sp.GetRequiredService<IOptions<NotificationOptions>>().Value));
        services.AddSingleton<WebhookConnector>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        WebhookEndpoints.Map(api);
        return api;
    }
}
