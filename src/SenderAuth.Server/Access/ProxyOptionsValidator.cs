using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Access;

/// <summary>
/// The trusted proxies, checked at start. (The client limits have no rule beyond their ranges, which
/// <see cref="OptionRangeValidator"/> checks from their [Range] attributes, so no validator of their own.)
/// </summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
