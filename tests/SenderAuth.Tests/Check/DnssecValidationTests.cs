using System.Text.Json;
using System.Text.RegularExpressions;
using SenderAuth.Check;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Check;

/// <summary>
/// Our own DNSSEC validation (<see cref="DnssecValidator"/>) against the signing Knot of tests/servers/unbound, from the
/// test anchor (the DS of dnssec.test. that unbound also uses, SENDERAUTH_TEST_TRUST_ANCHOR). Each name is validated
/// twice: through unbound asked with CD (a validating upstream that hands over bogus data), and from the Knot server
/// itself (which does not validate): the verdict must be ours, the same both ways. Knot and ldns-signzone made the
/// signatures, so these also check our RSA/ECDSA/Ed25519 verification and canonical form against other signers.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "unbound")]
public class DnssecValidationTests
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

    private static string Anchor() => Env("SENDERAUTH_TEST_TRUST_ANCHOR");

    private static DnssecValidator Validator(string server) => new(
        new NetworkDnssecTransport(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(server)], Timeout = TimeSpan.FromSeconds(2) }),
        TrustAnchors.Load(Anchor()));

    public static TheoryData<string, string, string, string, string, bool> Names => new()
    {
        // name, type, status, reason token ("" for none), zone, zone signed
        { "dnssec.test", "TXT", "Secure", "", "dnssec.test", true },
        { "secure.dnssec.test", "TXT", "Secure", "", "secure.dnssec.test", true },
        { "nothing-here.secure.dnssec.test", "TXT", "Secure", "", "secure.dnssec.test", true },
        { "secure.dnssec.test", "A", "Secure", "", "secure.dnssec.test", true },
        { "s1._domainkey.dkim.dnssec.test", "TXT", "Secure", "", "dkim.dnssec.test", true },
        { "s1._domainkey.secure.dnssec.test", "TXT", "Secure", "", "secure.dnssec.test", true },
        { "s2._domainkey.secure.dnssec.test", "TXT", "Insecure", "no-ds", "dkim-unsigned.dnssec.test", false },
        { "unsigned.dnssec.test", "TXT", "Insecure", "no-ds", "unsigned.dnssec.test", false },
        { "nothing-here.unsigned.dnssec.test", "TXT", "Insecure", "no-ds", "unsigned.dnssec.test", false },
        { "s1._domainkey.dkim-unsigned.dnssec.test", "TXT", "Insecure", "no-ds", "dkim-unsigned.dnssec.test", false },
        { "island.dnssec.test", "TXT", "Insecure", "no-ds", "island.dnssec.test", true },
        { "bogus.dnssec.test", "TXT", "Bogus", "signature-expired", "bogus.dnssec.test", true },
        { "s1._domainkey.bogus.dnssec.test", "TXT", "Bogus", "signature-expired", "bogus.dnssec.test", true },
        { "future.dnssec.test", "TXT", "Bogus", "signature-not-yet-valid", "future.dnssec.test", true },
        { "wrongds.dnssec.test", "TXT", "Bogus", "ds-mismatch", "wrongds.dnssec.test", true },
        { "nsec3.dnssec.test", "TXT", "Secure", "", "nsec3.dnssec.test", true },
        { "nsec3.dnssec.test", "A", "Secure", "", "nsec3.dnssec.test", true },
        { "nothing-here.nsec3.dnssec.test", "TXT", "Secure", "", "nsec3.dnssec.test", true },
        { "alg8.dnssec.test", "TXT", "Secure", "", "alg8.dnssec.test", true },
        { "alg10.dnssec.test", "TXT", "Secure", "", "alg10.dnssec.test", true },
        { "alg14.dnssec.test", "TXT", "Secure", "", "alg14.dnssec.test", true },
        { "alg15.dnssec.test", "TXT", "Secure", "", "alg15.dnssec.test", true },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Validate_ThroughUnboundWithCd(string name, string type, string status, string reason, string zone, bool signed)
    {
        var v = await Validator(Env("SENDERAUTH_TEST_VALIDATOR")).ValidateAsync(name, Type(type), TestContext.Current.CancellationToken);
        Assert.Equal((status, reason, zone, signed), (v.Status.ToString(), v.Reason.Token() ?? "", v.Zone, v.ZoneSigned));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Validate_FromTheSigningServer(string name, string type, string status, string reason, string zone, bool signed)
    {
        var v = await Validator(Env("SENDERAUTH_TEST_DNSSEC_AUTH")).ValidateAsync(name, Type(type), TestContext.Current.CancellationToken);
        Assert.Equal((status, reason, zone, signed), (v.Status.ToString(), v.Reason.Token() ?? "", v.Zone, v.ZoneSigned));
    }

    private static ushort Type(string type) => type switch { "A" => 1, "TXT" => 16, _ => throw new ArgumentException(type) };

    [Theory]
    [InlineData("bogus.dnssec.test", @"^the RRSIG of DNSKEY bogus\.dnssec\.test by key \d+ of bogus\.dnssec\.test expired at 2020-02-01T00:00:00Z$")]
    [InlineData("future.dnssec.test", @"^the RRSIG of DNSKEY future\.dnssec\.test by key \d+ of future\.dnssec\.test is not valid before 2037-01-01T00:00:00Z$")]
    [InlineData("wrongds.dnssec.test", @"^no DNSKEY of wrongds\.dnssec\.test \(key tags (\d+)\) matches the DS in dnssec\.test \(key tags (?!\1)\d+\)$")]
    [InlineData("unsigned.dnssec.test", @"^dnssec\.test proves with a signed NSEC that unsigned\.dnssec\.test has no DS: an unsigned delegation$")]
    public async Task Validate_Detail_NamesTheFailingRecord(string name, string pattern)
    {
        var v = await Validator(Env("SENDERAUTH_TEST_VALIDATOR")).ValidateAsync(name, 16, TestContext.Current.CancellationToken);
        Assert.Matches(new Regex(pattern), v.Detail);
    }

    [Fact]
    public async Task Validate_RootAnchorsOnlyAgainstTestServer_Indeterminate()
    {
        // The root's keys cannot be fetched from a server that only holds the test zones: no answer, never "secure".
        var validator = new DnssecValidator(new NetworkDnssecTransport(new NetworkDnsResolverOptions
        {
            Servers = [NetworkDnsResolverOptions.ParseEndpoint(Env("SENDERAUTH_TEST_DNSSEC_AUTH"))], Timeout = TimeSpan.FromSeconds(1), Retries = 0,
        }), TrustAnchors.Root);
        var v = await validator.ValidateAsync("secure.dnssec.test", 16, TestContext.Current.CancellationToken);
        Assert.Equal((DnssecStatus.Indeterminate, DnssecReason.NoAnswer, "the zone above dnssec.test was not found"), (v.Status, v.Reason, v.Detail));
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
                "error dnssec-bogus bogus.dnssec.test | bogus signature-expired (zone bogus.dnssec.test)",
                "info dnssec-provider-zone-secure s1._domainkey.dkim.dnssec.test | secure (zone dkim.dnssec.test)",
            ]
        },
        {
            "wrongds.dnssec.test", "dkim-unsigned.dnssec.test",
            [
                "error dnssec-bogus wrongds.dnssec.test | bogus ds-mismatch (zone wrongds.dnssec.test)",
                "warning dnssec-provider-zone-unsigned s1._domainkey.dkim-unsigned.dnssec.test | insecure (zone dkim-unsigned.dnssec.test, unsigned)",
            ]
        },
        {
            "secure.dnssec.test", "bogus.dnssec.test",
            [
                "info dnssec-secure secure.dnssec.test | secure (zone secure.dnssec.test)",
                "error dnssec-provider-zone-bogus s1._domainkey.bogus.dnssec.test | bogus signature-expired (zone bogus.dnssec.test)",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task DomainChecker_OwnValidation_DnssecFindings(string domain, string dkimZone, string[] expected)
    {
        var options = new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(Env("SENDERAUTH_TEST_VALIDATOR"))], Timeout = TimeSpan.FromSeconds(2) };
        var checker = new DomainChecker(new CachingDnsResolver(new NetworkDnsResolver(options)))
        {
            Dnssec = new ValidatingDnssecProbe(new DnssecValidator(new NetworkDnssecTransport(options), TrustAnchors.Load(Anchor()))),
        };
        var profile = new ProviderProfile { DkimZone = dkimZone, SpfInclude = "spf.dnssec.test", Selectors = [new ProviderSelector("s1", "s1")] };
        var report = await checker.CheckAsync(domain, profile, "", TestContext.Current.CancellationToken);
        var findings = report.Findings.Where(f => f.Area == CheckArea.Dnssec).ToList();
        Assert.Equal(expected, findings.Select(f => $"{f.Severity.ToString().ToLowerInvariant()}{(f.Temporary ? " temporary" : "")} {f.Code} {f.Subject} | {f.Observed}"));
        // A bogus finding tells why in its advice, in the validator's words.
        Assert.All(findings.Where(f => f.Code.EndsWith("bogus", StringComparison.Ordinal)), f => Assert.Matches(@"\((zone [a-z.]+)\): (the RRSIG of|no DNSKEY of) ", f.Message));
    }

    private static async Task<string> ProfileAsync()
    {
        var profile = Path.Combine(Path.GetTempPath(), $"sa-dnssec-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(profile, """{ "dkimZone": "dkim.dnssec.test", "spfInclude": "spf.dnssec.test", "sendingIps": [], "selectors": [ { "name": "s1", "target": "s1" } ] }""",
            TestContext.Current.CancellationToken);
        return profile;
    }

    private static async Task<(int Exit, JsonDocument Json, string Err)> CliCheckAsync(string domain, params string[] extra)
    {
        var profile = await ProfileAsync();
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, ["check", domain, "--profile", profile, "--json", .. extra]);
            return (exit, JsonDocument.Parse(stdout), stderr);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Theory]
    [InlineData("secure.dnssec.test", "ok", "dnssec-secure", "secure (zone secure.dnssec.test)")]
    [InlineData("unsigned.dnssec.test", "warning", "dnssec-unsigned", "insecure (zone unsigned.dnssec.test, unsigned)")]
    [InlineData("island.dnssec.test", "warning", "dnssec-no-ds", "insecure (zone island.dnssec.test, signed, no DS)")]
    [InlineData("bogus.dnssec.test", "error", "dnssec-bogus", "bogus signature-expired (zone bogus.dnssec.test)")]
    [InlineData("future.dnssec.test", "error", "dnssec-bogus", "bogus signature-not-yet-valid (zone future.dnssec.test)")]
    [InlineData("wrongds.dnssec.test", "error", "dnssec-bogus", "bogus ds-mismatch (zone wrongds.dnssec.test)")]
    public async Task Cli_Check_TrustAnchor_OwnValidation(string domain, string verdict, string code, string observed)
    {
        // From the non-validating Knot: a verdict only our own validation can give.
        var (_, json, stderr) = await CliCheckAsync(domain, "--resolver", Env("SENDERAUTH_TEST_DNSSEC_AUTH"), "--trust-anchor", Anchor());
        using var _1 = json;
        Assert.Equal(verdict, json.RootElement.GetProperty("verdict").GetProperty("dnssec").GetString());
        var own = json.RootElement.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("area").GetString() == "dnssec");
        Assert.True((code, observed) == (own.GetProperty("code").GetString(), own.GetProperty("observed").GetString()), stderr + json.RootElement);
    }

    [Fact]
    public async Task Cli_CheckBulk_TrustAnchor_OneValidatorForAllDomains()
    {
        var list = Path.Combine(Path.GetTempPath(), $"sa-dnssec-domains-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(list, "secure.dnssec.test\nunsigned.dnssec.test\nbogus.dnssec.test\nwrongds.dnssec.test\nisland.dnssec.test\nalg15.dnssec.test\n",
            TestContext.Current.CancellationToken);
        var profile = await ProfileAsync();
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "check", "--domains", list, "--profile", profile,
                "--resolver", Env("SENDERAUTH_TEST_VALIDATOR"), "--trust-anchor", Anchor(), "--concurrency", "4");
            Assert.True(exit == 1, stderr);
            var verdicts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Select(e => $"{e.GetProperty("domain").GetString()} {e.GetProperty("verdict").GetProperty("dnssec").GetString()}");
            Assert.Equal(["secure.dnssec.test ok", "unsigned.dnssec.test warning", "bogus.dnssec.test error", "wrongds.dnssec.test error",
                "island.dnssec.test warning", "alg15.dnssec.test ok"], verdicts);
        }
        finally
        {
            File.Delete(list);
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task Cli_Check_DefaultRootAnchors_UnknownNotSecure()
    {
        var (exit, json, _) = await CliCheckAsync("secure.dnssec.test", "--resolver", Env("SENDERAUTH_TEST_DNSSEC_AUTH"), "--dns-timeout", "1");
        using var _1 = json;
        Assert.Equal(3, exit);
        Assert.Equal("unknown", json.RootElement.GetProperty("verdict").GetProperty("dnssec").GetString());
        Assert.All(json.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("area").GetString() == "dnssec"),
            f => Assert.Equal("dnssec-unknown", f.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Cli_Check_DnssecOff_NoDnssecVerdict()
    {
        var (_, json, _) = await CliCheckAsync("secure.dnssec.test", "--resolver", Env("SENDERAUTH_TEST_VALIDATOR"), "--dnssec", "off");
        using var _1 = json;
        Assert.False(json.RootElement.GetProperty("verdict").TryGetProperty("dnssec", out _));
    }

    [Theory]
    [InlineData("example. IN A 192.0.2.1\n", ":1:13: 'A' is not a trust anchor: expected DS or DNSKEY")]
    [InlineData("dnssec.test. DS 1 13 2 abcd\n", ":1:24: DS digest of 2 octets, digest type 2 has 32")]
    public async Task Cli_Check_BadTrustAnchorFile_UsageErrorWithPosition(string content, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"sa-anchor-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, content, TestContext.Current.CancellationToken);
        var profile = await ProfileAsync();
        try
        {
            var (exit, _, stderr) = await CliRunner.RunAsync(null, "check", "secure.dnssec.test", "--profile", profile, "--trust-anchor", file);
            Assert.Equal(2, exit);
            Assert.Contains(file + message, stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(profile);
        }
    }

    [Fact]
    public async Task Cli_Check_TrustAnchorWithResolverMode_UsageError()
    {
        var profile = await ProfileAsync();
        try
        {
            var (exit, _, stderr) = await CliRunner.RunAsync(null, "check", "secure.dnssec.test", "--profile", profile, "--dnssec", "resolver", "--trust-anchor", "a.txt");
            Assert.Equal(2, exit);
            Assert.Contains("--trust-anchor is used by --dnssec validate, not --dnssec resolver", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(profile);
        }
    }
}
