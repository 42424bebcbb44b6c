namespace SenderAuth.Server.Webhooks;

/// <summary>Webhook delivery's settings, checked at start.</summary>
public sealed class NotificationOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Notifications.Problems();
}
