using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Milter;

/// <summary>The milter's settings, checked at start.</summary>
public sealed class MilterOptionsValidator : IValidateOptions<MilterOptions>
{
    public ValidateOptionsResult Validate(string? name, MilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
