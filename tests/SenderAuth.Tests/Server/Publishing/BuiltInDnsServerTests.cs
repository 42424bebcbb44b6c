using System.Net;
using DnsClient;
using DnsClient.Protocol;
using SenderAuth.Server.Publishing;
using static SenderAuth.Tests.Server.Publishing.PublishingSamples;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>The built-in server on a loopback port, asked over real UDP and TCP sockets by DnsClient.</summary>
[Trait("Layer", "server")]
public sealed class BuiltInDnsServerTests : IAsyncLifetime
{
    private const string Origin = "dkim.provider.example";

    private readonly BuiltInDnsServer _server = new(new BuiltInDnsOptions
    {
        Listen = Loopback0,
        NsNames = ["ns1.provider.example", "ns2.provider.example"],
        SoaMailbox = "dns.admin@provider.example",
    });

    private IPEndPoint Endpoint => _server.AuthoritativeServer!;

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync(TestContext.Current.CancellationToken);
        await _server.PublishAsync(Zone(Origin, 7), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public void Start_Port0_ExposesTheBoundPort()
    {
        Assert.Equal(IPAddress.Loopback, Endpoint.Address);
        Assert.NotEqual(0, Endpoint.Port);
        Assert.Equal(Endpoint, _server.LocalEndpoint);
        Assert.Equal("builtin", SenderAuth.Json.SenderAuthJson.Token(_server.Kind));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Txt_SeveralStrings_AuthoritativeAndPreserved(bool tcp)
    {
        var r = await AskAsync(Endpoint, $"mosa-2025b._domainkey.{Origin}", QueryType.TXT, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, r.Header.ResponseCode);
        Assert.True(r.Header.HasAuthorityAnswer);
        Assert.False(r.Header.RecursionAvailable);
        var txt = Assert.IsType<TxtRecord>(Assert.Single(r.Answers));
        Assert.Equal(["v=DKIM1; k=ed25519; ", "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=v1"], txt.Text);
        Assert.Equal(300, txt.InitialTimeToLive);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Apex_SoaAndNs_FromOptionsAndSerial(bool tcp)
    {
        var soa = await AskAsync(Endpoint, Origin, QueryType.SOA, tcp);
        var s = Assert.IsType<SoaRecord>(Assert.Single(soa.Answers));
        // DnsClient prints the mailbox label "dns.admin" unescaped; the zone-file tests see the escaped form.
        Assert.Equal((7u, "ns1.provider.example.", "dns.admin.provider.example."), (s.Serial, s.MName.Value, s.RName.Value));
        Assert.True(soa.Header.HasAuthorityAnswer);
        var ns = await AskAsync(Endpoint, Origin, QueryType.NS, tcp);
        Assert.Equal(["ns1.provider.example.", "ns2.provider.example."], ns.Answers.OfType<NsRecord>().Select(n => n.NSDName.Value).Order());
    }

    [Fact]
    public async Task DefaultApex_Ns1OfOriginAndHostmaster()
    {
        await using var server = new BuiltInDnsServer(new BuiltInDnsOptions { Listen = Loopback0 });
        server.Start();
        await server.PublishAsync(Zone(Origin, 1), TestContext.Current.CancellationToken);
        var soa = Assert.IsType<SoaRecord>(Assert.Single((await AskAsync(server.AuthoritativeServer!, Origin, QueryType.SOA)).Answers));
        Assert.Equal(($"ns1.{Origin}.", $"hostmaster.{Origin}."), (soa.MName.Value, soa.RName.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NoData_NoErrorEmptyAnswerSoaInAuthority(bool tcp)
    {
        var r = await AskAsync(Endpoint, $"_spf.{Origin}", QueryType.A, tcp);
        AssertNegative(r, DnsHeaderResponseCode.NoError);
    }

    [Fact]
    public async Task EmptyNonTerminal_IsNoDataNotNxDomain()
    {
        AssertNegative(await AskAsync(Endpoint, $"_domainkey.{Origin}", QueryType.TXT), DnsHeaderResponseCode.NoError);
        AssertNegative(await AskAsync(Endpoint, $"_dmarc.{Origin}", QueryType.TXT), DnsHeaderResponseCode.NoError);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Missing_NxDomainSoaInAuthority(bool tcp)
    {
        AssertNegative(await AskAsync(Endpoint, $"nokey._domainkey.{Origin}", QueryType.TXT, tcp), DnsHeaderResponseCode.NotExistentDomain);
        AssertNegative(await AskAsync(Endpoint, $"below.mosa-2025b._domainkey.{Origin}", QueryType.TXT, tcp), DnsHeaderResponseCode.NotExistentDomain);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("provider.example")]
    [InlineData("xdkim.provider.example")]
    public async Task OutsideTheZone_Refused(string name)
    {
        var r = await AskAsync(Endpoint, name, QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.Refused, r.Header.ResponseCode);
        Assert.False(r.Header.HasAuthorityAnswer);
        Assert.Empty(r.Answers);
    }

    [Fact]
    public async Task Names_CaseInsensitive()
    {
        var r = await AskAsync(Endpoint, "MOSA-2025B._DomainKey.DKIM.Provider.Example", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NoError, r.Header.ResponseCode);
        Assert.Single(r.Answers.OfType<TxtRecord>());
    }

    [Fact]
    public async Task Cname_ReturnedAndFollowedInsideTheZone()
    {
        var r = await AskAsync(Endpoint, $"current._domainkey.{Origin}", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NoError, r.Header.ResponseCode);
        Assert.Equal($"mosa-2025b._domainkey.{Origin}.", Assert.IsType<CNameRecord>(r.Answers[0]).CanonicalName.Value);
        Assert.StartsWith("v=DKIM1; k=ed25519", string.Concat(Assert.IsType<TxtRecord>(r.Answers[1]).Text), StringComparison.Ordinal);
        var direct = await AskAsync(Endpoint, $"current._domainkey.{Origin}", QueryType.CNAME);
        Assert.IsType<CNameRecord>(Assert.Single(direct.Answers));
    }

    [Fact]
    public async Task Rsa4096Key_OverUdpWithEdns_WholeAndUntruncated()
    {
        var r = await Client(Endpoint, tcp: false, bufferSize: 1232, tcpFallback: false)
            .QueryAsync($"mosa-2025a._domainkey.{Origin}", QueryType.TXT, QueryClass.IN, TestContext.Current.CancellationToken);
        Assert.False(r.Header.ResultTruncated);
        Assert.Equal(Rsa4096Txt.Value, Assert.IsType<TxtRecord>(Assert.Single(r.Answers)).Text);
    }

    [Fact]
    public async Task Rsa4096Key_OverUdpWithoutEdns_TruncatedThenWholeOverTcp()
    {
        var name = $"mosa-2025a._domainkey.{Origin}";
        var udp = await RawDnsQuery.UdpAsync(Endpoint, name, 16, ednsSize: null);
        Assert.True(udp.Truncated);
        Assert.True(udp.Authoritative);
        Assert.InRange(udp.Bytes.Length, 12, 512);
        var fallback = await Client(Endpoint, tcp: false, bufferSize: 512, tcpFallback: true)
            .QueryAsync(name, QueryType.TXT, QueryClass.IN, TestContext.Current.CancellationToken);
        Assert.Equal(Rsa4096Txt.Value, Assert.IsType<TxtRecord>(Assert.Single(fallback.Answers)).Text);
    }

    [Fact]
    public async Task Rsa4096Key_SmallEdnsBuffer_Truncated()
    {
        var udp = await RawDnsQuery.UdpAsync(Endpoint, $"mosa-2025a._domainkey.{Origin}", 16, ednsSize: 600);
        Assert.True(udp.Truncated);
        Assert.InRange(udp.Bytes.Length, 12, 600);
    }

    [Fact]
    public async Task AnswerAboveOurUdpBuffer_TruncatedOverUdp_WholeOverTcp()
    {
        // Three 4096-bit keys at one name: about 2.3 kB, above our 1232-byte EDNS limit even for a 4096-byte client.
        var name = $"many._domainkey.{Origin}";
        var keys = Enumerable.Range(0, 3).Select(i => ZoneRecord.Txt(name, 300, [.. Rsa4096Txt.Value, $"k{i}"])).ToList();
        await _server.PublishAsync(Zone(Origin, 8) with { Records = [.. Zone(Origin, 8).Records, .. keys] }, TestContext.Current.CancellationToken);
        var udp = await RawDnsQuery.UdpAsync(Endpoint, name, 16, ednsSize: 4096);
        Assert.True(udp.Truncated);
        Assert.InRange(udp.Bytes.Length, 12, 1232);
        var tcp = await AskAsync(Endpoint, name, QueryType.TXT, tcp: true);
        Assert.Equal(3, tcp.Answers.OfType<TxtRecord>().Count());
    }

    [Fact]
    public async Task Publish_ReplacesTheZone_RemovedNamesGoAndSerialFollows()
    {
        var v2 = new ProviderZone(Origin, 9, [ZoneRecord.Txt($"new._domainkey.{Origin}", 120, ["v=DKIM1; p="])]);
        await _server.PublishAsync(v2, TestContext.Current.CancellationToken);
        Assert.Equal(9u, _server.ServedSerial);
        AssertNegative(await AskAsync(Endpoint, $"mosa-2025b._domainkey.{Origin}", QueryType.TXT), DnsHeaderResponseCode.NotExistentDomain);
        var added = await AskAsync(Endpoint, $"new._domainkey.{Origin}", QueryType.TXT);
        Assert.Equal(["v=DKIM1; p="], Assert.IsType<TxtRecord>(Assert.Single(added.Answers)).Text);
        Assert.Equal(9u, Assert.IsType<SoaRecord>(Assert.Single((await AskAsync(Endpoint, Origin, QueryType.SOA)).Answers)).Serial);
    }

    [Fact]
    public async Task Publish_WhileQueried_EveryAnswerIsOneWholeVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"multi.{Origin}";
        ProviderZone Version(uint serial) => new(Origin, serial,
            [.. Enumerable.Range(0, 4).Select(i => ZoneRecord.Txt(name, 60, [$"s{serial}-{i}"]))]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var publisher = Task.Run(async () =>
        {
            for (uint serial = 100; !stop.IsCancellationRequested; serial++)
            {
                await _server.PublishAsync(Version(serial), ct);
                await Task.Yield();
            }
        }, ct);
        var client = Client(Endpoint, tcp: true);
        var versions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            var r = await client.QueryAsync(name, QueryType.TXT, QueryClass.IN, ct);
            if (r.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                continue; // the fixture's zone, before the first swap
            }
            var texts = r.Answers.OfType<TxtRecord>().Select(t => Assert.Single(t.Text)).ToList();
            Assert.Equal(4, texts.Count);
            var serials = texts.Select(t => t[..t.IndexOf('-', StringComparison.Ordinal)]).Distinct().ToList();
            versions.Add(Assert.Single(serials));
        }
        await stop.CancelAsync();
        await publisher;
        Assert.True(versions.Count > 1, "the publisher swapped the zone while queries ran");
    }

    [Fact]
    public async Task BeforeFirstPublish_RefusesEverything()
    {
        await using var server = new BuiltInDnsServer(new BuiltInDnsOptions { Listen = Loopback0 });
        server.Start();
        Assert.Null(server.ServedSerial);
        var r = await AskAsync(server.AuthoritativeServer!, Origin, QueryType.SOA);
        Assert.Equal(DnsHeaderResponseCode.Refused, r.Header.ResponseCode);
    }

    [Fact]
    public async Task StopAndStart_ServesTheSameZoneAgain()
    {
        _server.Stop();
        Assert.Null(_server.AuthoritativeServer);
        await _server.StartAsync(TestContext.Current.CancellationToken);
        var r = await AskAsync(Endpoint, $"_spf.{Origin}", QueryType.TXT);
        Assert.Equal(["v=spf1 ip4:192.0.2.0/24 -all"], Assert.IsType<TxtRecord>(Assert.Single(r.Answers)).Text);
    }

    [Fact]
    public async Task Start_EndpointTaken_Throws()
    {
        await using var other = new BuiltInDnsServer(new BuiltInDnsOptions { Listen = Endpoint });
        Assert.Throws<System.Net.Sockets.SocketException>(other.Start);
    }

    [Fact]
    public async Task Publish_CnameWithOtherData_Rejected()
    {
        var bad = new ProviderZone(Origin, 10,
            [new ZoneRecord($"x.{Origin}", "CNAME", 60, $"y.{Origin}"), ZoneRecord.Txt($"x.{Origin}", 60, ["t"])]);
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => _server.PublishAsync(bad, TestContext.Current.CancellationToken));
        Assert.Contains("CNAME and other records", ex.Message, StringComparison.Ordinal);
        Assert.Equal(7u, _server.ServedSerial);
    }

    private static void AssertNegative(IDnsQueryResponse r, DnsHeaderResponseCode code)
    {
        Assert.Equal(code, r.Header.ResponseCode);
        Assert.True(r.Header.HasAuthorityAnswer);
        Assert.Empty(r.Answers);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(r.Authorities));
        Assert.Equal(Origin + ".", soa.DomainName.Value);
        // RFC 2308 §3: the negative answer's SOA TTL is the smaller of its TTL and MINIMUM.
        Assert.Equal(300, soa.InitialTimeToLive);
    }
}
