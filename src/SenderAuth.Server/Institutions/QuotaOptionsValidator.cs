using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Institutions;

/// <summary>The quotas on their own (the RSA size bounds), checked at start.</summary>
public sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}

/// <summary>
/// The quotas against the sections they bound or are bounded by: in-flight deliveries below
/// <see cref="Webhooks.NotificationOptions.Parallelism"/>, the provider's generated key size within the RSA bounds.
/// A rule between two sections cannot be checked on either alone, so this one reads the root.
/// </summary>
public sealed class QuotaAgreementValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Quotas.Problems(options.Notifications.Parallelism, options.Provider.RsaBits));
    }
}
