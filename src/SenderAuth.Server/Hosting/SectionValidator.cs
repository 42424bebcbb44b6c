using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// One feature's part of the start-up check of <see cref="ServerOptions"/>: each feature registers its own in its
/// <c>AddX</c>, the options factory runs them all, and <c>serve</c> lists every failure at once. A section's
/// problems are sentences naming the setting and the fix.
/// </summary>
public abstract class SectionValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    protected abstract IEnumerable<string> Problems(ServerOptions options);
}
