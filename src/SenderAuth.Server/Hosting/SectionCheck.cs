using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// The start-up check of one options section as part of the root's: runs every <c>IValidateOptions&lt;TSection&gt;</c>
/// a feature registered on the section that <see cref="SectionOf{TSection}"/> selects from <see cref="ServerOptions"/>.
/// Configuration binds the root once; this adapter is why <c>serve</c> still lists the failures of every section at
/// once (the options factory collects all root validators' failures into one exception) while each feature's
/// validator knows only its own class and is testable on it alone.
/// </summary>
public sealed class SectionCheck<TSection>(SectionOf<TSection> section, IEnumerable<IValidateOptions<TSection>> validators) : IValidateOptions<ServerOptions>
    where TSection : class
{
    /// <summary>The feature validators this check runs, in registration order.</summary>
    public IReadOnlyList<IValidateOptions<TSection>> Validators { get; } = [.. validators];

    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var selected = section.Select(options);
        var failures = Validators.SelectMany(v => v.Validate(name, selected) is { Failed: true } r ? r.Failures ?? [] : []).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Where one section lives in the bound <see cref="ServerOptions"/>: registered once per section type.</summary>
public sealed record SectionOf<TSection>(Func<ServerOptions, TSection> Select) where TSection : class;

/// <summary>A validator's result from a section's problems: sentences naming the setting and the fix.</summary>
public static class SectionProblems
{
    public static ValidateOptionsResult Result(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
    }
}
