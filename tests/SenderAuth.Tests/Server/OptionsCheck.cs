using System.Collections;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The start-up check of <see cref="ServerOptions"/> as the options factory runs it: the root's validators and every
/// feature's section validator on its section (as <see cref="SectionCheck{TSection}"/> runs them). Found by type in
/// the server's assembly, so a new feature's validator is checked here without being listed.
/// </summary>
internal static class OptionsCheck
{
    public static IReadOnlyList<Type> ValidatorTypes { get; } = [.. typeof(ServerOptions).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition && ValidatedType(t) is not null).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static ValidateOptionsResult Validate(ServerOptions options)
    {
        var failures = ValidatorTypes.SelectMany(t => Run(t, options)).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The options class a validator checks: the root, or one section (a property type of the root).</summary>
    public static Type? ValidatedType(Type validator) => validator.GetInterfaces()
        .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
        .Select(i => i.GetGenericArguments()[0])
        .FirstOrDefault(o => o == typeof(ServerOptions) || Section(o) is not null);

    private static PropertyInfo? Section(Type section) =>
        typeof(ServerOptions).GetProperties().SingleOrDefault(p => p.PropertyType == section);

    private static IEnumerable<string> Run(Type validator, ServerOptions options)
    {
        var checks = ValidatedType(validator)!;
        var instance = validator == typeof(ServerOptionsValidator) ? new ServerOptionsValidator() : Activator.CreateInstance(validator)!;
        var target = checks == typeof(ServerOptions) ? options : Section(checks)!.GetValue(options);
        var result = (ValidateOptionsResult)typeof(IValidateOptions<>).MakeGenericType(checks).GetMethod("Validate")!.Invoke(instance, [null, target])!;
        return result.Failures ?? [];
    }

    /// <summary>What a host registered: root validators, with each section adapter replaced by the validators it runs.</summary>
    public static IEnumerable<Type> Registered(IServiceProvider services) => services.GetServices<IValidateOptions<ServerOptions>>()
        .SelectMany(v => v.GetType().IsGenericType && v.GetType().GetGenericTypeDefinition() == typeof(SectionCheck<>)
            ? ((IEnumerable)v.GetType().GetProperty(nameof(SectionCheck<ServerOptions>.Validators))!.GetValue(v)!).Cast<object>().Select(s => s.GetType())
            : [v.GetType()]);
}

[Trait("Layer", "server")]
public sealed class OptionsCheckTests
{
    [Fact]
    public async Task Server_RegistersEveryFeaturesValidator()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var registered = OptionsCheck.Registered(host.Services).OrderBy(t => t.Name, StringComparer.Ordinal);
        Assert.Equal(OptionsCheck.ValidatorTypes, registered);
        Assert.True(OptionsCheck.ValidatorTypes.Count >= 7, string.Join(", ", OptionsCheck.ValidatorTypes.Select(t => t.Name)));
    }

    [Fact]
    public async Task Server_FeatureSection_IsTheValidatedRootsSection()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var root = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Assert.Same(root.Milter, host.Services.GetRequiredService<IOptions<SenderAuth.Server.Milter.MilterOptions>>().Value);
        Assert.Same(root.Retention, host.Services.GetRequiredService<IOptions<SenderAuth.Server.Domains.RetentionOptions>>().Value);
        Assert.Same(root.Reports, host.Services.GetRequiredService<IOptions<SenderAuth.Store.Reports.ReportOptions>>().Value);
    }

    [Fact]
    public void SectionValidator_OnTheSectionAlone_NamesTheSetting()
    {
        var milter = new SenderAuth.Server.Milter.MilterOptions { Listen = "not an address" };
        var result = new SenderAuth.Server.Milter.MilterOptionsValidator().Validate(null, milter);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("SenderAuth:Milter:Listen", StringComparison.Ordinal));
    }
}
