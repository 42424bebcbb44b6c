using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class DnsQueryLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RecordsEveryQueryInOrderWithStatus()
    {
        var inner = new ScriptedDnsResolver();
        inner.Set("a.example", DnsRecordType.Txt, DnsAnswer.NoData(TimeSpan.FromSeconds(5)));
        inner.Set("b.example", DnsRecordType.A, DnsAnswer.ServFail);
        var log = new DnsQueryLog(inner);
        await log.QueryAsync("A.example.", DnsRecordType.Txt, Ct);
        await log.QueryAsync("b.example", DnsRecordType.A, Ct);
        await log.QueryAsync("c.example", DnsRecordType.A, Ct);

        Assert.Equal(
            [
                new DnsQueryLogEntry("a.example", DnsRecordType.Txt, DnsStatus.NoData),
                new DnsQueryLogEntry("b.example", DnsRecordType.A, DnsStatus.ServFail),
                new DnsQueryLogEntry("c.example", DnsRecordType.A, DnsStatus.NxDomain),
            ],
            log.Entries);
        Assert.Equal(3, log.Count());
        Assert.Equal(2, log.Count(DnsRecordType.A));
        Assert.Equal(1, log.Count("B.EXAMPLE", DnsRecordType.A));
        Assert.Equal("TXT a.example -> NoData", log.Entries[0].ToString());

        log.Clear();
        Assert.Empty(log.Entries);
    }

    [Fact]
    public async Task BehindACache_ShowsOnlyTheQueriesThatLeftIt()
    {
        var log = new DnsQueryLog(new ScriptedDnsResolver());
        var cache = new CachingDnsResolver(log);
        await cache.QueryAsync("x.example", DnsRecordType.Mx, Ct);
        await cache.QueryAsync("x.example", DnsRecordType.Mx, Ct);
        Assert.Single(log.Entries);
    }

    [Fact]
    public async Task ConcurrentQueries_AreAllRecorded()
    {
        var log = new DnsQueryLog(new ScriptedDnsResolver());
        await Parallel.ForAsync(0, 500, Ct, async (i, ct) => await log.QueryAsync($"n{i}.example", DnsRecordType.A, ct));
        Assert.Equal(500, log.Count(DnsRecordType.A));
        Assert.Equal(500, log.Entries.Select(e => e.Name).Distinct().Count());
    }
}
