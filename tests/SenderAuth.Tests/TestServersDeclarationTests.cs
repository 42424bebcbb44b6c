using System.Net;
using SenderAuth.Tests.Dashboard;
using SenderAuth.Tests.Dmarc;
using SenderAuth.Tests.Interop;
using SenderAuth.Tests.Metrics;
using SenderAuth.Tests.Shipped;

namespace SenderAuth.Tests;

/// <summary>
/// A class that asks for a real server or tool without declaring it fails at once (TestServers.Get and each tool's
/// entry point, through TestNeeds): run-tests installs only what the selected classes declare, so an undeclared use
/// would pass in CI and fail on a fresh machine. This class declares nothing, so nothing may start or run for it.
/// </summary>
[Trait("Layer", "engine")]
public class TestServersDeclarationTests
{
    [Theory]
    [InlineData("SENDERAUTH_TEST_DNS", "knot")]
    [InlineData("SENDERAUTH_TEST_VALIDATOR", "unbound")]
    [InlineData("SENDERAUTH_TEST_POSTGRES", "postgres")]
    [InlineData("SENDERAUTH_TEST_IMAP", "dovecot")]
    [InlineData("SENDERAUTH_TEST_MILTER", "postfix")]
    public void Get_ServerNotDeclared_ThrowsNamingTheTrait(string variable, string server)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestServers.Get(variable));

        Assert.Contains(nameof(TestServersDeclarationTests), error.Message);
        Assert.Contains($"[Trait(\"Needs\", \"{server}\")]", error.Message);
    }

    [Fact]
    public void Get_NotAServerVariable_NoDeclarationNeeded()
    {
        // Plain settings (not printed by a tests/servers start script) are read as they are.
        Assert.Equal(Environment.GetEnvironmentVariable("SENDERAUTH_TEST_WORK"), TestServers.Get("SENDERAUTH_TEST_WORK"));
    }

    /// <summary>Each tool's one entry point, called as a test would; none may get as far as running its tool.</summary>
    public static TheoryData<string> Tools => ["peers", "chromium", "prometheus", "dig", "publicsuffix", "senderauth"];

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task ToolEntryPoint_NeedNotDeclared_ThrowsNamingTheTrait(string need)
    {
        Func<Task> use = need switch
        {
            "peers" => () => Task.FromResult(PeerTool.Get("dkimpy")),
            "chromium" => async () => await new Chromium().InitializeAsync(),
            "prometheus" => () => { PrometheusTool.RequireInstalled(); return Task.CompletedTask; },
            // A closed port: were the check missing, dig would run and fail on its own, not with this message.
            "dig" => () => DigTool.QueryAsync(new IPEndPoint(IPAddress.Loopback, 9), "example.", "SOA", TestContext.Current.CancellationToken),
            "publicsuffix" => () => Task.FromResult(PublicSuffixFile.Require()),
            "senderauth" => Launcher.EnsureBuiltAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(need)),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(use);

        Assert.Contains(nameof(TestServersDeclarationTests), error.Message);
        Assert.Contains($"[Trait(\"Needs\", \"{need}\")]", error.Message);
    }

    [Fact]
    public void LauncherStartInfo_NeedNotDeclared_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Launcher.StartInfo(["--version"]));

        Assert.Contains("[Trait(\"Needs\", \"senderauth\")]", error.Message);
    }

    [Fact]
    public void Declares_UndeclaredKnot_FalseSoServerHostStartsNoKnot()
    {
        // ServerHost asks this before it reads SENDERAUTH_TEST_DNS: a class without the trait gets a closed port, no Knot.
        Assert.False(TestNeeds.Declares("knot"));
    }
}
