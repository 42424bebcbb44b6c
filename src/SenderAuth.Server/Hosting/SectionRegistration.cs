using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// How a feature's <c>AddX</c> registers its options section: <c>IOptions&lt;TSection&gt;</c> for its services (the
/// same object as the validated root's property, so one binding, one PostConfigure and one validation serve both) and
/// its <c>IValidateOptions&lt;TSection&gt;</c>, run at start through <see cref="SectionCheck{TSection}"/>.
/// </summary>
public static class SectionRegistration
{
    /// <summary><c>IOptions&lt;TSection&gt;</c> read from the validated <see cref="ServerOptions"/>; idempotent per section.</summary>
    public static IServiceCollection AddSectionOptions<TSection>(this IServiceCollection services, Func<ServerOptions, TSection> select)
        where TSection : class
    {
        services.TryAddSingleton(new SectionOf<TSection>(select));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerOptions>, SectionCheck<TSection>>());
        services.TryAddSingleton<IOptions<TSection>, SectionOptions<TSection>>();
        return services;
    }

    /// <summary>The section's options as above, and <typeparamref name="TValidator"/> among its start-up checks.</summary>
    public static IServiceCollection AddSectionValidator<TSection, TValidator>(this IServiceCollection services, Func<ServerOptions, TSection> select)
        where TSection : class
        where TValidator : class, IValidateOptions<TSection>
    {
        services.AddSectionOptions(select);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TSection>, TValidator>());
        return services;
    }

    /// <summary>
    /// The section, read on first use of <see cref="Value"/> like the root's own options: resolving it (a middleware
    /// built before <c>serve</c> validates) must not validate, or a bad setting escapes the check that exits 2.
    /// Reading the root's Value runs every validator first, so a feature never sees an unchecked section.
    /// </summary>
    private sealed class SectionOptions<TSection>(IOptions<ServerOptions> root, SectionOf<TSection> section) : IOptions<TSection>
        where TSection : class
    {
        public TSection Value => section.Select(root.Value);
    }
}
