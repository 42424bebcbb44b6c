using System.Net;
using System.Net.Sockets;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

/// <summary>Against the Knot server run-tests starts (tests/servers/knot); the zone is tests/servers/knot/zones.</summary>
[Trait("Layer", "interop")]
[Trait("Needs", "knot")]
public class NetworkDnsResolverTests
{
    private const string Zone = "resolver.test";

    private static IPEndPoint Server()
    {
        var env = TestServers.Get("SENDERAUTH_TEST_DNS");
        if (string.IsNullOrWhiteSpace(env))
        {
            Assert.Skip("real DNS server not started: run ./run-tests");
        }
        return NetworkDnsResolverOptions.ParseEndpoint(env);
    }

    private static NetworkDnsResolver Resolver(bool tcpFallback = true) =>
        new(new NetworkDnsResolverOptions { Servers = [Server()], UseTcpFallback = tcpFallback });

    private static ValueTask<DnsAnswer> Query(string name, DnsRecordType type) =>
        Resolver().QueryAsync(name, type, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_ReturnsAddressesAndMinTtl()
    {
        var answer = await Query("MAIL.resolver.test.", DnsRecordType.A);
        Assert.Equal(DnsStatus.NoError, answer.Status);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], answer.Of<AddressRecord>().Select(r => r.Address.ToString()).Order());
        Assert.All(answer.Records, r => Assert.Equal("mail.resolver.test", r.Name));
        Assert.Equal(TimeSpan.FromSeconds(600), answer.Ttl);
    }

    [Fact]
    public async Task Aaaa_ReturnsIpv6Address()
    {
        var answer = await Query($"mail.{Zone}", DnsRecordType.Aaaa);
        var record = Assert.Single(answer.Of<AddressRecord>());
        Assert.Equal(IPAddress.Parse("2001:db8::10"), record.Address);
        Assert.Equal(DnsRecordType.Aaaa, record.Type);
        Assert.Equal(TimeSpan.FromSeconds(500), answer.Ttl);
    }

    [Fact]
    public async Task Mx_ReturnsPreferenceAndExchange()
    {
        var answer = await Query(Zone, DnsRecordType.Mx);
        Assert.Equal([(10, "mail.resolver.test"), (20, "mail2.resolver.test")],
            answer.Of<MxRecord>().Select(m => ((int)m.Preference, m.Exchange)).Order());
    }

    [Fact]
    public async Task Ptr_ReturnsTargetOfReverseName()
    {
        var answer = await Query(DnsName.ReverseName(IPAddress.Parse("192.0.2.10")), DnsRecordType.Ptr);
        Assert.Equal("mail.resolver.test", Assert.Single(answer.Of<PtrRecord>()).Target);
        Assert.Equal(TimeSpan.FromSeconds(400), answer.Ttl);
    }

    [Fact]
    public async Task Soa_ReturnsMinimumField()
    {
        var soa = Assert.Single((await Query(Zone, DnsRecordType.Soa)).Of<SoaRecord>());
        Assert.Equal(("ns1.resolver.test", "hostmaster.resolver.test", 2024010101u, 120u),
            (soa.PrimaryServer, soa.Mailbox, soa.Serial, soa.Minimum));
    }

    [Fact]
    public async Task Ns_ReturnsTarget()
    {
        Assert.Equal("ns1.resolver.test", Assert.Single((await Query(Zone, DnsRecordType.Ns)).Of<NsRecord>()).Target);
    }

    [Fact]
    public async Task Txt_KeepsStringsSeparate()
    {
        var txt = Assert.Single((await Query(Zone, DnsRecordType.Txt)).Of<TxtRecord>());
        Assert.Equal(["v=spf1 ", "ip4:192.0.2.0/24 ", "-all"], txt.Strings);
        Assert.Equal("v=spf1 ip4:192.0.2.0/24 -all", txt.Text);
        Assert.Equal(DnsRecordType.Txt, txt.Type);
    }

    [Fact]
    public async Task Txt_DecodesUtf8()
    {
        var txt = Assert.Single((await Query($"utf8.{Zone}", DnsRecordType.Txt)).Of<TxtRecord>());
        Assert.Equal(["caf\u00e9", "\u2713"], txt.Strings);
    }

    [Fact]
    public async Task Spf99_IsTxtRecordOfTypeSpf()
    {
        var answer = await Query($"spf99.{Zone}", DnsRecordType.Spf);
        var spf = Assert.Single(answer.Of<TxtRecord>());
        Assert.Equal(DnsRecordType.Spf, spf.Type);
        Assert.Equal("v=spf1 -all", spf.Text);
    }

    [Fact]
    public async Task CnameChain_ReturnsOnlyAskedTypeWithChainBoundedTtl()
    {
        var answer = await Query($"alias1.{Zone}", DnsRecordType.A);
        Assert.Equal(DnsStatus.NoError, answer.Status);
        Assert.Equal(2, answer.Of<AddressRecord>().Count());
        Assert.All(answer.Records, r => Assert.IsType<AddressRecord>(r));
        // alias2's CNAME has the smallest TTL of the chain: the answer is only true that long.
        Assert.Equal(TimeSpan.FromSeconds(100), answer.Ttl);
    }

    [Fact]
    public async Task CnameQuery_ReturnsTheCname()
    {
        var cname = Assert.Single((await Query($"alias1.{Zone}", DnsRecordType.Cname)).Of<CnameRecord>());
        Assert.Equal("alias2.resolver.test", cname.Target);
    }

    [Theory]
    [InlineData("nowhere.resolver.test", DnsRecordType.A, DnsStatus.NxDomain)]
    [InlineData("dangling.resolver.test", DnsRecordType.A, DnsStatus.NxDomain)]
    [InlineData("mail.resolver.test", DnsRecordType.Txt, DnsStatus.NoData)]
    [InlineData("sub.resolver.test", DnsRecordType.A, DnsStatus.NoData)]
    public async Task NegativeAnswers_UseSoaMinimumAsTtl(string name, DnsRecordType type, DnsStatus expected)
    {
        var answer = await Query(name, type);
        Assert.Equal(expected, answer.Status);
        Assert.Empty(answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(120), answer.Ttl);
    }

    [Fact]
    public async Task Refused_IsServFail()
    {
        // Knot is authoritative only: a zone it does not serve is REFUSED.
        var answer = await Query("example.com", DnsRecordType.A);
        Assert.Equal(DnsStatus.ServFail, answer.Status);
        Assert.True(answer.IsTemporaryFailure);
    }

    [Fact]
    public async Task TruncatedUdpAnswer_ArrivesCompleteOverTcp()
    {
        var answer = await Query($"big.{Zone}", DnsRecordType.Txt);
        Assert.Equal(DnsStatus.NoError, answer.Status);
        var texts = answer.Of<TxtRecord>().Select(t => t.Text).Order().ToList();
        Assert.Equal(8, texts.Count);
        Assert.All(texts, t => Assert.Equal(200, t.Length));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"r{i}-"), texts.Select(t => t[..3]));
    }

    [Fact]
    public async Task TruncatedUdpAnswer_WithoutTcpFallback_IsIncomplete()
    {
        // Proves the RRset really exceeds the UDP limit, so the test above exercises the fallback.
        var answer = await Resolver(tcpFallback: false).QueryAsync($"big.{Zone}", DnsRecordType.Txt, TestContext.Current.CancellationToken);
        Assert.True(answer.Records.Count < 8, $"got {answer.Status} with {answer.Records.Count} records");
    }

    [Fact]
    public async Task NoListener_IsTimeout()
    {
        Server();
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var resolver = new NetworkDnsResolver(new NetworkDnsResolverOptions
        {
            Servers = [new IPEndPoint(IPAddress.Loopback, port)], Timeout = TimeSpan.FromMilliseconds(200), Retries = 1,
        });
        var answer = await resolver.QueryAsync($"mail.{Zone}", DnsRecordType.A, TestContext.Current.CancellationToken);
        Assert.Equal(DnsStatus.Timeout, answer.Status);
    }

    [Fact]
    public async Task SilentServer_IsTimeoutWithinConfiguredTime()
    {
        Server();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var resolver = new NetworkDnsResolver(new NetworkDnsResolverOptions
        {
            Servers = [(IPEndPoint)silent.LocalEndPoint!], Timeout = TimeSpan.FromMilliseconds(200), Retries = 1,
        });
        var started = DateTime.UtcNow;
        var answer = await resolver.QueryAsync($"mail.{Zone}", DnsRecordType.A, TestContext.Current.CancellationToken);
        Assert.Equal(DnsStatus.Timeout, answer.Status);
        // 2 x 200 ms expected; the bound is loose for a loaded machine and still far below the 30 s default.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancellation_Throws()
    {
        Server();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var resolver = new NetworkDnsResolver(new NetworkDnsResolverOptions
        {
            Servers = [(IPEndPoint)silent.LocalEndPoint!], Timeout = TimeSpan.FromSeconds(30),
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await resolver.QueryAsync($"mail.{Zone}", DnsRecordType.A, cts.Token));

        using var already = new CancellationTokenSource();
        await already.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Resolver().QueryAsync(Zone, DnsRecordType.A, already.Token));
    }
}
