using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Hosting;

/// <summary>Every [Range] of the "SenderAuth" section, checked at start with the sections' own validators.</summary>
public sealed class OptionRangeValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = OptionRanges.Problems(options, ServerOptions.Section).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
