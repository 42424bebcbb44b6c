using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Check;

/// <summary>
/// The same fixtures and the same expected findings as <see cref="DomainCheckTests"/>, over the network against the
/// Knot server run-tests starts with every zone in tests/servers/knot/zones. Lame or unreachable name servers:
/// one authoritative server cannot delegate to a server that does not answer, so that case is a run against a
/// closed port (exit 3, every finding temporary); the zone-file tests cover timeouts and SERVFAIL per name.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
public class DomainCheckKnotTests
{
    private static string Server()
    {
        var env = TestServers.Get("SENDERAUTH_TEST_DNS");
        if (string.IsNullOrWhiteSpace(env))
        {
            Assert.Skip("real DNS server not started: run ./run-tests");
        }
        return env;
    }

    [Theory]
    [MemberData(nameof(CheckFixtures.Cases), MemberType = typeof(CheckFixtures))]
    public async Task Check_FixtureOverRealDns_HasExactlyTheExpectedFindings(string domain, string code, string profile, string[] expected)
    {
        var resolver = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(Server())] });
        var report = await new DomainChecker(resolver).CheckAsync(domain, CheckFixtures.LoadProfile(profile), code, TestContext.Current.CancellationToken);
        Assert.Equal(CheckFixtures.Sorted(expected), CheckFixtures.Describe(report));
    }

    [Theory]
    [InlineData("good.example", 0)]
    [InlineData("ruanotours.example", 0)]
    [InlineData("twice.example", 1)]
    [InlineData("type99.example", 1)]
    public async Task Cli_OverRealDns_ExitCode(string domain, int exit)
    {
        // --dnssec resolver: this Knot is no recursive resolver, so our own validation from the root's anchors cannot
        // reach the fixture zones and would make every run "DNS could not answer" (exit 3); DnssecValidationTests covers it.
        var (code, stdout, stderr) = await CliRunner.RunAsync(null, "check", domain, "--profile", CheckFixtures.ProfilePath(CheckFixtures.Profile),
            "--code", "mosa", "--resolver", Server(), "--dnssec", "resolver", "--json");
        Assert.True(exit == code, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(domain, doc.RootElement.GetProperty("domain").GetString());
    }

    [Fact]
    public async Task Cli_UnreachableNameServer_Exit3AndEveryFindingTemporary()
    {
        Server();
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "check", "good.example", "--profile", CheckFixtures.ProfilePath(CheckFixtures.Profile),
            "--code", "mosa", "--resolver", "127.0.0.1:9", "--dns-timeout", "0.2", "--json");
        Assert.Equal(3, exit);
        using var doc = JsonDocument.Parse(stdout);
        var findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.True(f.GetProperty("temporary").GetBoolean()));
        Assert.All(findings, f => Assert.Contains(f.GetProperty("code").GetString(), (string[])["dns-unreachable", "dnssec-unknown"]));
        Assert.Equal("unknown", doc.RootElement.GetProperty("verdict").GetProperty("spf").GetString());
    }

    [Fact]
    public async Task Cli_BulkOverRealDns_OneJsonLinePerDomain()
    {
        var list = Path.Combine(Path.GetTempPath(), $"sa-domains-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(list, "good.example mosa\nshortkey.example short\n# comment\n\nnx1.example\ntwice.example\n", TestContext.Current.CancellationToken);
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "check", "--domains", list, "--code", "mosa",
                "--profile", CheckFixtures.ProfilePath(CheckFixtures.Profile), "--resolver", Server(), "--dnssec", "resolver", "--concurrency", "4");
            Assert.Equal(1, exit);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["good.example", "shortkey.example", "nx1.example", "twice.example"],
                lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("domain").GetString()));
            Assert.Equal("short", JsonDocument.Parse(lines[1]).RootElement.GetProperty("code").GetString());
            Assert.Contains("checked 4 domains: 2 with errors, 0 with DNS that could not answer", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(list);
        }
    }
}
