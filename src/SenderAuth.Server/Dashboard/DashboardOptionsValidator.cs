using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Dashboard;

/// <summary>The dashboard's session settings, checked at start.</summary>
public sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
