using System.Net;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class CachingDnsResolverTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedDnsResolver _inner = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CachingDnsResolver Cache(CachingDnsResolverOptions? options = null) => new(_inner, _time, options);

    private static DnsAnswer A(uint ttl) =>
        DnsAnswer.FromRecords([new AddressRecord("a.example", ttl, IPAddress.Parse("192.0.2.1"))], TimeSpan.Zero);

    [Fact]
    public async Task Answer_IsKeptUntilExactlyItsTtl()
    {
        _inner.Set("a.example", DnsRecordType.A, A(60));
        var cache = Cache();
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        _time.Advance(TimeSpan.FromSeconds(59.999));
        var hit = await cache.QueryAsync("A.Example.", DnsRecordType.A, Ct);
        Assert.Equal(1, _inner.Calls);
        Assert.Equal(TimeSpan.FromMilliseconds(1), hit.Ttl);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Key_IncludesType()
    {
        var cache = Cache();
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        await cache.QueryAsync("a.example", DnsRecordType.Aaaa, Ct);
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Ttl_IsCappedByMaxTtl()
    {
        _inner.Set("a.example", DnsRecordType.A, A(86400));
        var cache = Cache(new CachingDnsResolverOptions { MaxTtl = TimeSpan.FromSeconds(10) });
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), (await cache.QueryAsync("a.example", DnsRecordType.A, Ct)).Ttl);
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task DefaultCap_IsOneHour()
    {
        _inner.Set("a.example", DnsRecordType.A, A(86400));
        var cache = Cache();
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        _time.Advance(TimeSpan.FromHours(1));
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task ZeroTtl_IsNotCachedUnlessFloorSet()
    {
        _inner.Set("a.example", DnsRecordType.A, A(0));
        var cache = Cache();
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);

        var floored = Cache(new CachingDnsResolverOptions { MinTtl = TimeSpan.FromSeconds(5) });
        await floored.QueryAsync("a.example", DnsRecordType.A, Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        await floored.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(3, _inner.Calls);
    }

    [Theory]
    [InlineData(DnsStatus.ServFail)]
    [InlineData(DnsStatus.Timeout)]
    public async Task TemporaryFailures_AreNotCached(DnsStatus status)
    {
        _inner.Set("a.example", DnsRecordType.A, new DnsAnswer(status, [], TimeSpan.FromMinutes(5)));
        var cache = Cache();
        Assert.Equal(status, (await cache.QueryAsync("a.example", DnsRecordType.A, Ct)).Status);
        await cache.QueryAsync("a.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task NegativeAnswers_AreCachedForTheirTtl()
    {
        var cache = Cache();
        Assert.Equal(DnsStatus.NxDomain, (await cache.QueryAsync("gone.example", DnsRecordType.A, Ct)).Status);
        _time.Advance(TimeSpan.FromSeconds(29));
        await cache.QueryAsync("gone.example", DnsRecordType.A, Ct);
        Assert.Equal(1, _inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.QueryAsync("gone.example", DnsRecordType.A, Ct);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Full_EvictsAndStaysWithinMaxEntries()
    {
        var cache = Cache(new CachingDnsResolverOptions { MaxEntries = 10 });
        for (var i = 0; i < 25; i++)
        {
            await cache.QueryAsync($"n{i}.example", DnsRecordType.A, Ct);
            Assert.InRange(cache.Count, 1, 10);
        }
        await cache.QueryAsync("n24.example", DnsRecordType.A, Ct);
        Assert.Equal(25, _inner.Calls);
    }

    [Fact]
    public async Task Full_DropsExpiredEntriesFirst()
    {
        _inner.Set("short.example", DnsRecordType.A, A(1));
        var cache = Cache(new CachingDnsResolverOptions { MaxEntries = 2 });
        await cache.QueryAsync("short.example", DnsRecordType.A, Ct);
        await cache.QueryAsync("long.example", DnsRecordType.A, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.QueryAsync("new.example", DnsRecordType.A, Ct);
        await cache.QueryAsync("long.example", DnsRecordType.A, Ct);
        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task ConcurrentIdenticalQueries_ShareOneInnerQuery()
    {
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Set("a.example", DnsRecordType.A, A(60));
        var cache = Cache();
        var queries = Enumerable.Range(0, 10).Select(_ => cache.QueryAsync("a.example", DnsRecordType.A, Ct).AsTask()).ToList();
        Assert.Equal(1, _inner.Calls);
        _inner.Gate.SetResult();
        var answers = await Task.WhenAll(queries);
        Assert.All(answers, a => Assert.Equal(DnsStatus.NoError, a.Status));
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task CancelledWaiter_DoesNotCancelTheOthers_ButTheLastOneCancelsTheInnerQuery()
    {
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = Cache();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var q1 = cache.QueryAsync("a.example", DnsRecordType.A, first.Token).AsTask();
        var q2 = cache.QueryAsync("a.example", DnsRecordType.A, second.Token).AsTask();
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => q1);
        Assert.False(_inner.LastToken.IsCancellationRequested);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => q2);
        Assert.True(_inner.LastToken.IsCancellationRequested);

        _inner.Gate = null;
        Assert.Equal(DnsStatus.NxDomain, (await cache.QueryAsync("a.example", DnsRecordType.A, Ct)).Status);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task ManyThreads_GetConsistentAnswers()
    {
        _inner.Set("a.example", DnsRecordType.A, A(1));
        var cache = Cache(new CachingDnsResolverOptions { MaxEntries = 8 });
        await Parallel.ForAsync(0, 2000, Ct, async (i, ct) =>
        {
            var name = i % 3 == 0 ? "a.example" : $"n{i % 20}.example";
            var answer = await cache.QueryAsync(name, DnsRecordType.A, ct);
            Assert.Equal(name == "a.example" ? DnsStatus.NoError : DnsStatus.NxDomain, answer.Status);
        });
        Assert.InRange(cache.Count, 1, 8);
    }
}
