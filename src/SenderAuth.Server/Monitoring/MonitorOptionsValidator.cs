using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Monitoring;

/// <summary>The scheduler's and rotation's intervals, checked at start.</summary>
public sealed class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
