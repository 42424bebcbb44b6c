using System.Net;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Spf;

[Trait("Layer", "engine")]
public class SpfEvaluatorTests
{
    private static SpfEvaluator Evaluator(string zoneText, out DnsQueryLog log, SpfOptions? options = null)
    {
        log = new DnsQueryLog(new ZoneDnsResolver(ZoneFileParser.Parse(zoneText, "example.com")));
        return new SpfEvaluator(log, options);
    }

    private static Task<SpfOutcome> Check(SpfEvaluator e, string ip, string mailFrom = "user@example.com", string helo = "mx.example.org") =>
        e.CheckMailFromAsync(IPAddress.Parse(ip), mailFrom, helo, TestContext.Current.CancellationToken).AsTask();

    [Fact]
    public async Task CheckHost_EspPolicyWithNestedIncludes_PassesAndCountsLookups()
    {
        var e = Evaluator("""
            @        TXT "v=spf1 include:spf.esp.example mx -all"
            @        MX 10 mail
            mail     A 192.0.2.10
            spf.esp.example. TXT "v=spf1 include:a.esp.example include:b.esp.example ~all"
            a.esp.example.   TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:25::/48 -all"
            b.esp.example.   TXT "v=spf1 a:out.esp.example/28 -all"
            out.esp.example. A 203.0.113.1
            """, out var log);
        var outcome = await Check(e, "203.0.113.14");
        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal(SpfReason.MechanismMatched, outcome.Reason);
        Assert.Equal("include:spf.esp.example", outcome.Mechanism);
        Assert.Equal(4, outcome.DnsLookups);
        Assert.Equal(0, outcome.VoidLookups);
        Assert.Equal(
            ["example.com/Txt", "spf.esp.example/Txt", "a.esp.example/Txt", "b.esp.example/Txt", "out.esp.example/A"],
            log.Entries.Select(e => $"{e.Name}/{e.Type}"));

        var v6 = await Check(e, "2001:db8:25::9");
        Assert.Equal(SpfResult.Pass, v6.Result);

        var mx = await Check(e, "192.0.2.10");
        Assert.Equal(SpfResult.Pass, mx.Result);
        Assert.Equal("mx", mx.Mechanism);

        var none = await Check(e, "192.0.2.99");
        Assert.Equal(SpfResult.Fail, none.Result);
        Assert.Equal("-all", none.Mechanism);
    }

    [Fact]
    public async Task CheckHost_ElevenLookups_PermErrorAtTheEleventh()
    {
        var terms = string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.example.com"));
        var zone = $"@ TXT \"v=spf1 {terms} -all\"\n" + string.Join('\n', Enumerable.Range(1, 11).Select(i => $"h{i} A 192.0.2.{i}"));
        var e = Evaluator(zone, out _);
        var outcome = await Check(e, "198.51.100.1");
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(SpfReason.TooManyDnsLookups, outcome.Reason);
        Assert.Equal(11, outcome.DnsLookups);

        var early = await Check(e, "192.0.2.10");
        Assert.Equal(SpfResult.Pass, early.Result);
        Assert.Equal(10, early.DnsLookups);
    }

    [Fact]
    public async Task CheckHost_ThirdVoidLookup_PermError()
    {
        var e = Evaluator("@ TXT \"v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com -all\"", out _);
        var outcome = await Check(e, "192.0.2.1");
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(SpfReason.TooManyVoidLookups, outcome.Reason);
        Assert.Equal(3, outcome.VoidLookups);
    }

    [Fact]
    public async Task CheckHost_ElevenMxNames_PermError()
    {
        var zone = "@ TXT \"v=spf1 mx -all\"\n" + string.Join('\n', Enumerable.Range(1, 11).Select(i => $"@ MX {i} mx{i}"));
        var outcome = await Check(Evaluator(zone, out _), "192.0.2.1");
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(SpfReason.TooManyMxNames, outcome.Reason);
    }

    [Fact]
    public async Task CheckHost_PtrBeyondTenNames_AreIgnored()
    {
        var zone = "@ TXT \"v=spf1 ptr -all\"\n"
            + string.Join('\n', Enumerable.Range(1, 11).Select(i => $"1.2.0.192.in-addr.arpa. PTR h{i}.example.com."))
            + "\nh11 A 192.0.2.1\nh1 A 192.0.2.99";
        var outcome = await Check(Evaluator(zone, out _), "192.0.2.1");
        Assert.Equal(SpfResult.Fail, outcome.Result);
    }

    [Fact]
    public async Task CheckHost_MacrosInsideInclude_UseCurrentDomainAndOriginalSender()
    {
        // %{d} is the domain being evaluated (the include target), %{o} stays the MAIL FROM domain.
        var e = Evaluator("""
            @ TXT "v=spf1 include:inc.example.net -all"
            inc.example.net. TXT "v=spf1 exists:%{d}.%{o}.%{l}.check.example.net -all"
            inc.example.net.example.com.user.check.example.net. A 127.0.0.2
            """, out var log);
        var outcome = await Check(e, "192.0.2.1");
        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Contains("inc.example.net.example.com.user.check.example.net/A", log.Entries.Select(e => $"{e.Name}/{e.Type}"));
    }

    [Fact]
    public async Task CheckHost_Ipv6ClientNibbles_InExists()
    {
        var e = Evaluator("""
            @ TXT "v=spf1 exists:%{ir}.%{v}.wl.example.com -all"
            1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.wl A 127.0.0.2
            """, out _);
        Assert.Equal(SpfResult.Pass, (await Check(e, "2001:db8::1")).Result);
        Assert.Equal(SpfResult.Fail, (await Check(e, "2001:db8::2")).Result);
    }

    [Fact]
    public async Task CheckHost_RedirectAndExplanation_UseTheRedirectTarget()
    {
        var e = Evaluator("""
            @ TXT "v=spf1 redirect=_spf.example.com exp=outer.example.com"
            _spf TXT "v=spf1 ip4:192.0.2.0/24 -all exp=inner.example.com"
            outer TXT "outer"
            inner TXT "%{i} is not one of %{d}'s senders"
            """, out _);
        var fail = await Check(e, "198.51.100.7");
        Assert.Equal(SpfResult.Fail, fail.Result);
        Assert.Equal("198.51.100.7 is not one of _spf.example.com's senders", fail.Explanation);
        Assert.Equal("_spf.example.com", fail.DecidingDomain);
        Assert.Equal(1, fail.DnsLookups);
    }

    [Theory]
    [InlineData("@ TXT \"v=spf1 include:nothing.example.com -all\"", SpfResult.PermError, SpfReason.IncludeOrRedirectWithoutRecord)]
    [InlineData("@ TXT \"v=spf1 redirect=nothing.example.com\"", SpfResult.PermError, SpfReason.IncludeOrRedirectWithoutRecord)]
    [InlineData("@ TXT \"v=spf1 -all\"\n@ TXT \"v=spf1 +all\"", SpfResult.PermError, SpfReason.MultipleRecords)]
    [InlineData("@ TXT \"v=spf1 ip4:1.2.3.4/40\"", SpfResult.PermError, SpfReason.SyntaxError)]
    [InlineData("@ TXT \"not spf\"", SpfResult.None, SpfReason.NoRecord)]
    [InlineData("@ TXT \"v=spf1 a:slow.example.com -all\"", SpfResult.TempError, SpfReason.DnsFailure)]
    [InlineData("@ TXT \"v=spf1 ?mx:nomx.example.com\"", SpfResult.Neutral, SpfReason.NoMatch)]
    [InlineData("@ TXT \"v=spf1 include:soft.example.com -all\"\nsoft TXT \"v=spf1 ~all\"", SpfResult.Fail, SpfReason.MechanismMatched)]
    public async Task CheckHost_Outcomes_CarryReason(string zone, SpfResult result, SpfReason reason)
    {
        var z = ZoneFileParser.Parse(zone, "example.com");
        z.AddTimeout("slow.example.com");
        var outcome = await new SpfEvaluator(new ZoneDnsResolver(z)).CheckMailFromAsync(IPAddress.Parse("192.0.2.1"), "a@example.com", "h.example.org",
            TestContext.Current.CancellationToken);
        Assert.Equal(result, outcome.Result);
        Assert.Equal(reason, outcome.Reason);
    }

    [Fact]
    public async Task CheckHost_SyntaxError_ReportsPosition()
    {
        var outcome = await Check(Evaluator("@ TXT \"v=spf1 ip4:192.0.2.1 bogus -all\"", out _), "192.0.2.1");
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(new SpfSyntaxError(22, "unknown mechanism \"bogus\""), outcome.SyntaxError);
        Assert.Contains("at column 22", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckMailFrom_EmptyReversePath_ChecksPostmasterAtHelo()
    {
        var e = Evaluator("mx.example.org. TXT \"v=spf1 ip4:192.0.2.1 -all\"", out _);
        var outcome = await Check(e, "192.0.2.1", mailFrom: "", helo: "mx.example.org");
        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal(SpfIdentity.Helo, outcome.Identity);
        Assert.Equal("postmaster@mx.example.org", outcome.Sender);
    }

    [Fact]
    public async Task CheckHost_Ipv4MappedClient_IsTreatedAsIpv4()
    {
        var outcome = await Check(Evaluator("@ TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", out _), "::ffff:192.0.2.5");
        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), outcome.ClientIp);
    }

    [Fact]
    public async Task CheckHost_Cancelled_Throws()
    {
        var e = Evaluator("@ TXT \"v=spf1 -all\"", out _);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            e.CheckMailFromAsync(IPAddress.Loopback, "a@example.com", "h", cts.Token).AsTask());
    }

    [Fact]
    public async Task CheckHost_SlowDns_TempErrorAfterTimeout()
    {
        var slow = new SlowResolver();
        var e = new SpfEvaluator(slow, new SpfOptions { Timeout = TimeSpan.FromMilliseconds(50) });
        var outcome = await e.CheckMailFromAsync(IPAddress.Loopback, "a@example.com", "h", TestContext.Current.CancellationToken);
        Assert.Equal(SpfResult.TempError, outcome.Result);
        Assert.Equal(SpfReason.DnsFailure, outcome.Reason);
    }

    [Fact]
    public void Options_OutOfRange_Throw() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpfEvaluator(new SlowResolver(), new SpfOptions { MaxDnsLookups = 0 }));

    private sealed class SlowResolver : IDnsResolver
    {
        public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return DnsAnswer.Timeout;
        }
    }
}
