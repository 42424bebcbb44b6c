using System.Reflection;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Hosting;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Services take the options sections they read (<c>IOptions&lt;TheSection&gt;</c>), not the whole bound root: a
/// service on the root reads settings its feature's validator never checked, and hides which sections it depends on.
/// </summary>
[Trait("Layer", "server")]
public sealed class RootOptionsReadersTests
{
    [Fact]
    public void ServerAssembly_OnlyTheRootsOwnReaders_TakeIOptionsOfServerOptions()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var readers = typeof(ServerOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors(all).Cast<MethodBase>().Concat(t.GetMethods(all))
                .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(IOptions<ServerOptions>)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        // The section adapter serves every feature its section from the root; MasterKeyPlacement handles the
        // root's own secret. Every other service (endpoints included) takes its sections.
        Assert.Equal(["MasterKeyPlacement..ctor", "SectionOptions`1..ctor"], readers);
    }
}
