using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Http;
using SenderAuth.Server.Publishing;
using SenderAuth.Server.Signing;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// The resolver section's own check (moved out of ServerOptionsValidator with the section), and the sections that
/// left Hosting/ServerOptions.cs served to their services as the validated root's objects.
/// </summary>
[Trait("Layer", "server")]
public sealed class ResolverOptionsValidatorTests
{
    /// <summary>A label of 64 octets: one more than DNS allows (RFC 1035 §2.3.4).</summary>
    private static readonly string TooLong = new string('a', 64) + ".example";

    private static List<string> Problems(ResolverOptions options) => [.. new ResolverOptionsValidator().Validate(null, options).Failures ?? []];

    [Fact]
    public void Validate_Defaults_HasNoProblem() => Assert.Empty(Problems(new ResolverOptions()));

    [Fact]
    public void Validate_BadAddressesAndZone_NamesEachWithItsSetting()
    {
        var problems = Problems(new ResolverOptions
        {
            Servers = ["127.0.0.1:53", "resolver.example"],
            Forward = new() { ["corp.example"] = "10.0.0.1:99999", [TooLong] = "10.0.0.2" },
            Dnssec = "::1:x",
        });
        Assert.Equal(
        [
            "SenderAuth:Resolver: \"resolver.example\" is not IP[:PORT]",
            "SenderAuth:Resolver: \"10.0.0.1:99999\" is not IP[:PORT]",
            "SenderAuth:Resolver: \"::1:x\" is not IP[:PORT]",
            $"SenderAuth:Resolver:Forward: \"{TooLong}\" is not a domain name",
        ], problems);
    }

    [Fact]
    public void OptionsCheck_BadResolver_FailsTheServersStart() =>
        Assert.Contains("SenderAuth:Resolver: \"resolver.example\" is not IP[:PORT]",
            OptionsCheck.Validate(new ServerOptions { Resolver = new ResolverOptions { Servers = ["resolver.example"] } }).Failures ?? []);

    [Fact]
    public async Task Server_MovedSections_AreTheValidatedRootsSections()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var root = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Assert.Same(root.Publishing, host.Services.GetRequiredService<IOptions<PublishingSettings>>().Value);
        Assert.Same(root.Resolver, host.Services.GetRequiredService<IOptions<ResolverOptions>>().Value);
        Assert.Same(root.Signing, host.Services.GetRequiredService<IOptions<SigningOptions>>().Value);
        Assert.Same(root.Limits, host.Services.GetRequiredService<IOptions<ApiLimits>>().Value);
    }
}
