using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using DnsClient;
using SenderAuth.Dns;
using SenderAuth.Server.Publishing;
using static SenderAuth.Tests.Server.Publishing.PublishingSamples;
using QueryType = DnsClient.QueryType;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// RFC 2136 UPDATE against the Knot server run-tests starts: its zone dkim.provider.test takes updates and
/// transfers signed with the key in SENDERAUTH_TEST_TSIG. The tests share that zone, so they live in one class
/// (xunit runs a class's tests one after another) and each starts from a zone it publishes itself.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "knot")]
public sealed class Rfc2136ZonePublisherTests
{
    private static (Rfc2136Options Options, string Origin) Knot()
    {
        var dns = TestServers.Get("SENDERAUTH_TEST_DNS");
        var tsig = TestServers.Get("SENDERAUTH_TEST_TSIG");
        var zone = TestServers.Get("SENDERAUTH_TEST_DYNZONE");
        if (string.IsNullOrWhiteSpace(dns) || string.IsNullOrWhiteSpace(tsig) || string.IsNullOrWhiteSpace(zone))
        {
            Assert.Skip("Knot with the dynamic zone not started (SENDERAUTH_TEST_DNS, _TSIG, _DYNZONE): run ./run-tests");
        }
        var parts = tsig.Split(':', 3);
        return (new Rfc2136Options
        {
            Server = NetworkDnsResolverOptions.ParseEndpoint(dns),
            Zone = zone,
            TsigAlgorithm = parts[0],
            TsigKeyName = parts[1],
            TsigSecret = parts[2],
            Timeout = TimeSpan.FromSeconds(5),
        }, zone);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the server holds under the names SenderAuth owns, read by a signed AXFR.</summary>
    private static async Task<string[]> HeldAsync(Rfc2136Options options)
    {
        var transfer = await new Rfc2136Channel(options).TransferAsync(DomainName.Parse(options.Zone), Ct);
        return [.. Rfc2136ZonePublisher.Owned(transfer, options.Zone).Select(r => ZoneRecordMapper.Key(r) + " ttl=" + r.TimeToLive).Order(StringComparer.Ordinal)];
    }

    private static string[] Wanted(ProviderZone zone) =>
        [.. ZoneRecordMapper.ToWire(zone).Select(r => ZoneRecordMapper.Key(r) + " ttl=" + r.TimeToLive).Order(StringComparer.Ordinal)];

    private static async Task<uint> SerialAsync(Rfc2136Options options)
    {
        var r = await AskAsync(options.Server!, options.Zone, QueryType.SOA);
        return Assert.IsType<DnsClient.Protocol.SoaRecord>(Assert.Single(r.Answers)).Serial;
    }

    [Fact]
    public async Task Publish_Change_Remove_ServerHoldsExactlyTheWantedRecords()
    {
        var (options, origin) = Knot();
        var publisher = new Rfc2136ZonePublisher(options);
        Assert.Equal(("rfc2136", options.Server), (SenderAuth.Json.SenderAuthJson.Token(publisher.Kind), publisher.AuthoritativeServer));

        var v1 = Zone(origin, 1);
        await publisher.PublishAsync(v1, Ct);
        Assert.Equal(Wanted(v1), await HeldAsync(options));
        var key = await AskAsync(options.Server!, $"mosa-2025a._domainkey.{origin}", QueryType.TXT);
        Assert.Equal(Rsa4096Txt.Value, Assert.IsType<DnsClient.Protocol.TxtRecord>(Assert.Single(key.Answers)).Text);

        // New key text, a TTL change, a record gone, and a name that turns from CNAME into TXT.
        var v2 = new ProviderZone(origin, 2,
        [
            v1.Records[0],
            ZoneRecord.Txt($"mosa-2025b._domainkey.{origin}", 300, ["v=DKIM1; k=ed25519; ", "p=v2"]),
            ZoneRecord.Txt($"_spf.{origin}", 900, ["v=spf1 ip4:192.0.2.0/24 -all"]),
            ZoneRecord.Txt($"current._domainkey.{origin}", 300, ["v=DKIM1; p="]),
        ]);
        await publisher.PublishAsync(v2, Ct);
        Assert.Equal(Wanted(v2), await HeldAsync(options));
        var spf = await AskAsync(options.Server!, $"_spf.{origin}", QueryType.TXT, tcp: true);
        Assert.Equal(900, Assert.Single(spf.Answers).InitialTimeToLive);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain,
            (await AskAsync(options.Server!, $"mosa.example._report._dmarc.{origin}", QueryType.TXT)).Header.ResponseCode);

        await publisher.PublishAsync(new ProviderZone(origin, 3, []), Ct);
        Assert.Empty(await HeldAsync(options));
        // The operator's apex records are left alone.
        Assert.Single((await AskAsync(options.Server!, origin, QueryType.NS)).Answers);
    }

    [Fact]
    public async Task Republish_SameZone_SendsNoUpdate()
    {
        var (options, origin) = Knot();
        var publisher = new Rfc2136ZonePublisher(options);
        await publisher.PublishAsync(Zone(origin, 10), Ct);
        var serial = await SerialAsync(options);
        await publisher.PublishAsync(Zone(origin, 10), Ct);
        await new Rfc2136ZonePublisher(options).PublishAsync(Zone(origin, 11), Ct);
        Assert.Equal(serial, await SerialAsync(options));
        Assert.Equal(Wanted(Zone(origin, 10)), await HeldAsync(options));
    }

    [Fact]
    public async Task NewProcess_RemovesRecordsItNeverPublished()
    {
        var (options, origin) = Knot();
        var zone = Zone(origin, 20);
        await new Rfc2136ZonePublisher(options).PublishAsync(zone, Ct);
        // Someone else (or an earlier SenderAuth whose state is lost) left a record behind.
        var stray = new DnsUpdateMessage { ZoneName = DomainName.Parse(origin) };
        stray.Updates.Add(new AddRecordUpdate(new ARSoft.Tools.Net.Dns.TxtRecord(DomainName.Parse($"old._domainkey.{origin}"), 60, "v=DKIM1; p=old")));
        await new Rfc2136Channel(options).UpdateAsync(stray, Ct);
        Assert.Contains(await HeldAsync(options), k => k.StartsWith($"old._domainkey.{origin} ", StringComparison.Ordinal));

        await new Rfc2136ZonePublisher(options).PublishAsync(zone, Ct);
        Assert.Equal(Wanted(zone), await HeldAsync(options));
    }

    [Fact]
    public async Task ManyRsa4096Keys_SplitIntoSeveralUpdates_AndReadBackBySeveralTransferMessages()
    {
        var (options, origin) = Knot();
        // About 90 kB of keys: above one 64 kB message each way.
        var records = Enumerable.Range(0, 110)
            .Select(i => ZoneRecord.Txt($"inst{i:D3}._domainkey.{origin}", 300, [.. Rsa4096Txt.Value, $"n={i}"]))
            .ToList();
        var big = new ProviderZone(origin, 30, records);
        var updates = Rfc2136ZonePublisher.Diff([], ZoneRecordMapper.ToWire(big));
        Assert.True(Rfc2136ZonePublisher.Batches(updates).Count() > 1);

        var publisher = new Rfc2136ZonePublisher(options);
        await publisher.PublishAsync(big, Ct);
        Assert.Equal(Wanted(big), await HeldAsync(options));
        await publisher.PublishAsync(new ProviderZone(origin, 31, []), Ct);
        Assert.Empty(await HeldAsync(options));
    }

    [Fact]
    public async Task WrongSecret_NotAuthBadSig_ZoneUnchanged()
    {
        var (options, origin) = Knot();
        await new Rfc2136ZonePublisher(options).PublishAsync(Zone(origin, 40), Ct);
        var wrong = options with { TsigSecret = Convert.ToBase64String(new byte[32]) };
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => new Rfc2136ZonePublisher(wrong).PublishAsync(Zone(origin, 41, "v2"), Ct));
        Assert.Contains("NOTAUTH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BADSIG", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Wanted(Zone(origin, 40)), await HeldAsync(options));
    }

    [Fact]
    public async Task UnknownKeyName_NotAuthBadKey()
    {
        var (options, origin) = Knot();
        var ex = await Assert.ThrowsAsync<ZonePublishException>(
            () => new Rfc2136ZonePublisher(options with { TsigKeyName = "nobody" }).PublishAsync(Zone(origin, 50), Ct));
        Assert.Contains("NOTAUTH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BADKEY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZoneNotServedThere_ErrorNamesTheRcode()
    {
        var (options, _) = Knot();
        // resolver.test is a read-only fixture with no ACL: Knot refuses the transfer.
        var other = options with { Zone = "resolver.test" };
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => new Rfc2136ZonePublisher(other).PublishAsync(Zone("resolver.test", 1), Ct));
        Assert.Matches("NOTAUTH|REFUSED", ex.Message);
    }

    [Fact]
    public async Task OriginOtherThanTheConfiguredZone_Rejected()
    {
        var options = new Rfc2136Options
        {
            Server = new IPEndPoint(IPAddress.Loopback, 9), Zone = "a.example", TsigKeyName = "k", TsigSecret = Convert.ToBase64String(new byte[32]),
        };
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => new Rfc2136ZonePublisher(options).PublishAsync(Zone("b.example", 1), Ct));
        Assert.Contains("Rfc2136.Zone", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerDown_ZonePublishException()
    {
        var options = new Rfc2136Options
        {
            Server = new IPEndPoint(IPAddress.Loopback, 9), Zone = "a.example", TsigKeyName = "k",
            TsigSecret = Convert.ToBase64String(new byte[32]), Timeout = TimeSpan.FromSeconds(1),
        };
        var ex = await Assert.ThrowsAsync<ZonePublishException>(() => new Rfc2136ZonePublisher(options).PublishAsync(Zone("a.example", 1), Ct));
        Assert.Contains("127.0.0.1:9", ex.Message, StringComparison.Ordinal);
    }
}
