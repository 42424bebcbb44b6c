using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The start-up check of <see cref="ServerOptions"/> as the options factory runs it: every feature's validator. Found
/// by type in the server's assembly, so a new feature's validator is checked here without being listed.
/// </summary>
internal static class OptionsCheck
{
    public static IReadOnlyList<Type> ValidatorTypes { get; } = [.. typeof(ServerOptions).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IValidateOptions<ServerOptions>).IsAssignableFrom(t)).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static ValidateOptionsResult Validate(ServerOptions options)
    {
        var failures = ValidatorTypes
            .Select(t => t == typeof(ServerOptionsValidator) ? new ServerOptionsValidator() : (IValidateOptions<ServerOptions>)Activator.CreateInstance(t)!)
            .SelectMany(v => v.Validate(null, options).Failures ?? []).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

[Trait("Layer", "server")]
public sealed class OptionsCheckTests
{
    [Fact]
    public async Task Server_RegistersEveryFeaturesValidator()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var registered = host.Services.GetServices<IValidateOptions<ServerOptions>>().Select(v => v.GetType()).OrderBy(t => t.Name, StringComparer.Ordinal);
        Assert.Equal(OptionsCheck.ValidatorTypes, registered);
        Assert.True(OptionsCheck.ValidatorTypes.Count >= 7, string.Join(", ", OptionsCheck.ValidatorTypes.Select(t => t.Name)));
    }
}
