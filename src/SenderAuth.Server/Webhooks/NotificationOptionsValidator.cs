using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Webhooks;

/// <summary>Webhook delivery's settings, checked at start.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
