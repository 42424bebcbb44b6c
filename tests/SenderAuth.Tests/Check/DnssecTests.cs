using System.Text.Json;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Check;

/// <summary>
/// DNSSEC through the validating unbound run-tests starts (tests/servers/unbound: a signing Knot behind unbound with
/// dnssec.test. as trust anchor). Fixture zones: secure, dkim (signed, DS), island (signed, no DS), unsigned,
/// dkim-unsigned (unsigned), bogus (signatures expired in 2020, DS in the parent), all under dnssec.test.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "unbound")]
public class DnssecTests
{
    private static string Env(string name)
    {
        var env = TestServers.Get(name);
        if (string.IsNullOrWhiteSpace(env))
        {
            Assert.Skip($"{name} is not set: the DNSSEC test servers (tests/servers/unbound) were not started; run ./run-tests");
        }
        return env;
    }

    private static string Validator() => Env("SENDERAUTH_TEST_VALIDATOR");

    private static NetworkDnsResolverOptions Options(string server) =>
        new() { Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)], Timeout = TimeSpan.FromSeconds(2) };

    private static ProviderProfile Profile(string dkimZone) => new()
    {
        DkimZone = dkimZone,
        SpfInclude = "spf.dnssec.test",
        Selectors = [new ProviderSelector("s1", "s1")],
    };

    [Theory]
    [InlineData("dnssec.test", DnssecStatus.Secure, "dnssec.test", true)]
    [InlineData("secure.dnssec.test", DnssecStatus.Secure, "secure.dnssec.test", true)]
    [InlineData("nothing-here.secure.dnssec.test", DnssecStatus.Secure, "secure.dnssec.test", true)]
    [InlineData("s1._domainkey.dkim.dnssec.test", DnssecStatus.Secure, "dkim.dnssec.test", true)]
    [InlineData("s1._domainkey.secure.dnssec.test", DnssecStatus.Secure, "secure.dnssec.test", true)]
    [InlineData("s1._domainkey.unsigned.dnssec.test", DnssecStatus.Insecure, "unsigned.dnssec.test", false)]
    [InlineData("s2._domainkey.secure.dnssec.test", DnssecStatus.Insecure, "dkim-unsigned.dnssec.test", false)]
    [InlineData("unsigned.dnssec.test", DnssecStatus.Insecure, "unsigned.dnssec.test", false)]
    [InlineData("s1._domainkey.dkim-unsigned.dnssec.test", DnssecStatus.Insecure, "dkim-unsigned.dnssec.test", false)]
    [InlineData("island.dnssec.test", DnssecStatus.Insecure, "island.dnssec.test", true)]
    [InlineData("bogus.dnssec.test", DnssecStatus.Bogus, "bogus.dnssec.test", true)]
    [InlineData("s1._domainkey.bogus.dnssec.test", DnssecStatus.Bogus, "bogus.dnssec.test", true)]
    public async Task Probe_ThroughValidator(string name, DnssecStatus status, string apex, bool signed)
    {
        var probe = new NetworkDnssecProbe(Options(Validator()));
        var r = await probe.ProbeAsync(name, DnsRecordType.Txt, TestContext.Current.CancellationToken);
        Assert.Equal((status, apex, signed, (string?)null), (r.Status, r.ZoneApex, r.ZoneSigned, r.Detail));
    }

    [Theory]
    [InlineData("secure.dnssec.test", DnssecStatus.Indeterminate, true)]
    [InlineData("bogus.dnssec.test", DnssecStatus.Indeterminate, true)]
    [InlineData("island.dnssec.test", DnssecStatus.Insecure, true)]
    [InlineData("unsigned.dnssec.test", DnssecStatus.Insecure, false)]
    public async Task Probe_NonValidatingServer_NeverClaimsSecureOrUnsigned(string name, DnssecStatus status, bool signed)
    {
        // The signing Knot itself: it answers without AD, like a resolver that does not validate.
        var probe = new NetworkDnssecProbe(Options(Env("SENDERAUTH_TEST_DNSSEC_AUTH")));
        var r = await probe.ProbeAsync(name, DnsRecordType.Txt, TestContext.Current.CancellationToken);
        Assert.Equal((status, signed), (r.Status, r.ZoneSigned));
        if (status == DnssecStatus.Indeterminate)
        {
            Assert.Equal("the zone is signed and has a DS, but the resolver did not validate it: use a validating resolver", r.Detail);
        }
    }

    [Fact]
    public async Task Probe_NoServer_Indeterminate()
    {
        var probe = new NetworkDnssecProbe(new NetworkDnsResolverOptions
        {
            Servers = [NetworkDnsResolverOptions.ParseEndpoint("127.0.0.1:9")], Timeout = TimeSpan.FromMilliseconds(300), Retries = 0,
        });
        var r = await probe.ProbeAsync("secure.dnssec.test", DnsRecordType.Txt, TestContext.Current.CancellationToken);
        Assert.Equal(DnssecStatus.Indeterminate, r.Status);
    }

    public static TheoryData<string, string, string[]> Fixtures => new()
    {
        {
            "secure.dnssec.test", "dkim.dnssec.test",
            [
                "info dnssec-secure secure.dnssec.test | secure (zone secure.dnssec.test)",
                "info dnssec-provider-zone-secure s1._domainkey.dkim.dnssec.test | secure (zone dkim.dnssec.test)",
            ]
        },
        {
            "unsigned.dnssec.test", "dkim.dnssec.test",
            [
                "warning dnssec-unsigned unsigned.dnssec.test | insecure (zone unsigned.dnssec.test, unsigned)",
                "info dnssec-provider-zone-secure s1._domainkey.dkim.dnssec.test | secure (zone dkim.dnssec.test)",
            ]
        },
        {
            "island.dnssec.test", "dkim.dnssec.test",
            [
                "warning dnssec-no-ds island.dnssec.test | insecure (zone island.dnssec.test, signed, no DS)",
                "info dnssec-provider-zone-secure s1._domainkey.dkim.dnssec.test | secure (zone dkim.dnssec.test)",
            ]
        },
        {
            "bogus.dnssec.test", "dkim.dnssec.test",
            [
                "error dnssec-bogus bogus.dnssec.test | bogus (zone bogus.dnssec.test)",
                "info dnssec-provider-zone-secure s1._domainkey.dkim.dnssec.test | secure (zone dkim.dnssec.test)",
            ]
        },
        {
            "secure.dnssec.test", "dkim-unsigned.dnssec.test",
            [
                "info dnssec-secure secure.dnssec.test | secure (zone secure.dnssec.test)",
                "warning dnssec-provider-zone-unsigned s1._domainkey.dkim-unsigned.dnssec.test | insecure (zone dkim-unsigned.dnssec.test, unsigned)",
            ]
        },
        {
            "secure.dnssec.test", "bogus.dnssec.test",
            [
                "info dnssec-secure secure.dnssec.test | secure (zone secure.dnssec.test)",
                "error dnssec-provider-zone-bogus s1._domainkey.bogus.dnssec.test | bogus (zone bogus.dnssec.test)",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task DomainChecker_DnssecFindings(string domain, string dkimZone, string[] expected)
    {
        var options = Options(Validator());
        var checker = new DomainChecker(new CachingDnsResolver(new NetworkDnsResolver(options))) { Dnssec = new NetworkDnssecProbe(options) };
        var report = await checker.CheckAsync(domain, Profile(dkimZone), "", TestContext.Current.CancellationToken);
        Assert.Equal(expected, report.Findings.Where(f => f.Area == CheckArea.Dnssec)
            .Select(f => $"{f.Severity.ToString().ToLowerInvariant()}{(f.Temporary ? " temporary" : "")} {f.Code} {f.Subject} | {f.Observed}"));
        Assert.Equal(expected.Any(e => e.StartsWith("error", StringComparison.Ordinal)) ? AreaVerdict.Error
            : expected.Any(e => e.StartsWith("warning", StringComparison.Ordinal)) ? AreaVerdict.Warning : AreaVerdict.Ok, report.Verdict(CheckArea.Dnssec));
    }

    [Fact]
    public async Task DomainChecker_WithoutProbe_NoDnssecFindings()
    {
        var checker = new DomainChecker(new NetworkDnsResolver(Options(Validator())));
        var report = await checker.CheckAsync("bogus.dnssec.test", Profile("dkim.dnssec.test"), "", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(report.Findings, f => f.Area == CheckArea.Dnssec);
    }

    [Theory]
    [InlineData("secure.dnssec.test", "ok")]
    [InlineData("unsigned.dnssec.test", "warning")]
    [InlineData("bogus.dnssec.test", "error")]
    public async Task Cli_Check_ReportsDnssecVerdict(string domain, string verdict)
    {
        var profile = Path.Combine(Path.GetTempPath(), $"sa-dnssec-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(profile, """{ "dkimZone": "dkim.dnssec.test", "spfInclude": "spf.dnssec.test", "sendingIps": [], "selectors": [ { "name": "s1", "target": "s1" } ] }""",
            TestContext.Current.CancellationToken);
        try
        {
            var (_, stdout, stderr) = await CliRunner.RunAsync(null, "check", domain, "--profile", profile, "--resolver", Validator(), "--dnssec", "resolver", "--json");
            using var json = JsonDocument.Parse(stdout);
            Assert.True(json.RootElement.GetProperty("verdict").TryGetProperty("dnssec", out var v), stdout + stderr);
            Assert.Equal(verdict, v.GetString());
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task Cli_Check_WithZoneFile_HasNoDnssecVerdict()
    {
        var dir = Directory.CreateTempSubdirectory("sa-dnssec-");
        try
        {
            var profile = Path.Combine(dir.FullName, "profile.json");
            var zone = Path.Combine(dir.FullName, "fixture.zone");
            await File.WriteAllTextAsync(profile, """{ "dkimZone": "dkim.dnssec.test", "spfInclude": "spf.dnssec.test", "sendingIps": [], "selectors": [ { "name": "s1", "target": "s1" } ] }""",
                TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(zone, "$ORIGIN secure.dnssec.test.\n$TTL 300\n@ TXT \"v=spf1 include:spf.dnssec.test -all\"\n",
                TestContext.Current.CancellationToken);
            var (_, stdout, stderr) = await CliRunner.RunAsync(null, "check", "secure.dnssec.test", "--profile", profile, "--zone", zone, "--json");
            using var json = JsonDocument.Parse(stdout);
            Assert.False(json.RootElement.GetProperty("verdict").TryGetProperty("dnssec", out _), stdout + stderr);
            Assert.DoesNotContain(json.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("area").GetString() == "dnssec");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
