using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Milter;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>The milter's settings are checked at start with the setting named; a Unix socket works like TCP.</summary>
[Trait("Layer", "server")]
public sealed class MilterOptionsTests
{
    [Theory]
    [InlineData("Listen", "127.0.0.1:8891", "use inet:ADDR:PORT, unix:/path or none")]
    [InlineData("Listen", "inet:localhost:8891", "the address must be IP:PORT")]
    [InlineData("Listen", "unix:relative.sock", "a Unix socket needs an absolute path")]
    [InlineData("MaxPacketBytes", "1000", "MaxPacketBytes must be between 70 KiB")]
    [InlineData("PacketTimeoutSeconds", "0", "PacketTimeoutSeconds must be in (0, 3600] (it is 0)")]
    [InlineData("MaxConnections", "0", "MaxConnections must be between 1 and 100000")]
    public void Validate_BadSetting_NamesIt(string key, string value, string expected)
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        typeof(MilterOptions).GetProperty(key)!.SetValue(options.Milter, Convert.ChangeType(value, typeof(MilterOptions).GetProperty(key)!.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        var result = OptionsCheck.Validate(options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    /// <summary>Modes are enums: an unknown word is caught before binding and listed like any other problem.</summary>
    [Fact]
    public void EnumSettings_UnknownWords_AreNamedWithTheWordsAccepted()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:Mode"] = "both",
            ["SenderAuth:Milter:OnError"] = "ignore",
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "1",
            ["SenderAuth:Database"] = "mysql",
            ["SenderAuth:Publishing:Mode"] = "ZoneFile",
        }).Build();
        var enums = ServerEnumSettings.Check(configuration);
        Assert.Equal(
        [
            "SenderAuth:Database is \"mysql\": use sqlite, postgres",
            "SenderAuth:Milter:Mode is \"both\": use sign, verify",
            "SenderAuth:Milter:OnError is \"ignore\": use tempfail, accept",
            "SenderAuth:Milter:UnknownDomainPolicy is \"1\": use reject, sign-with-provider-domain, pass-unsigned",
        ], enums.Problems.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("SenderAuth:Publishing:Mode", enums.Paths);
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        Assert.Equal(enums.Problems, new ServerOptionsValidator(enums).Validate(null, options).Failures!.Take(enums.Problems.Count));
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        Assert.True(OptionsCheck.Validate(options).Succeeded);
        Assert.Equal("inet:127.0.0.1:8891", options.Milter.Listen);
    }

    [Fact]
    public async Task Listen_UnixSocket_Negotiates()
    {
        var path = Path.Combine("/tmp", $"sa-milter-{Guid.NewGuid():N}"[..20] + ".sock");
        await using (var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?> { ["SenderAuth:Milter:Listen"] = "unix:" + path }))
        {
            var address = host.Services.GetRequiredService<MilterListener>().Address;
            Assert.Equal("unix:" + path, address);
            Assert.True(File.Exists(path));
            await using var client = await MilterClient.ConnectAsync(address!);
            var (version, actions, _) = await client.NegotiateAsync();
            Assert.Equal(6u, version);
            Assert.Equal(MilterActions.AddHeaders, actions);
        }
        Assert.False(File.Exists(path), "the socket file outlived the server");
    }
}
