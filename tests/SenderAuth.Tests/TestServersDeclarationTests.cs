namespace SenderAuth.Tests;

/// <summary>
/// A class that asks for a real server without declaring it fails at once (TestServers.Get): run-tests installs only
/// what the selected classes declare, so an undeclared use would pass in CI and fail on a fresh machine.
/// This class declares nothing, so nothing may start for it.
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
}
