using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class DnsMemoTests
{
    [Fact]
    public async Task QueryAsync_SameQuestion_AskedOnceEvenConcurrently()
    {
        var gate = new TaskCompletionSource();
        var inner = new CountingResolver(gate.Task);
        var memo = new DnsMemo(inner);
        var first = memo.QueryAsync("Example.COM.", DnsRecordType.Txt, TestContext.Current.CancellationToken).AsTask();
        var second = memo.QueryAsync("example.com", DnsRecordType.Txt, TestContext.Current.CancellationToken).AsTask();
        var other = memo.QueryAsync("example.com", DnsRecordType.A, TestContext.Current.CancellationToken).AsTask();
        gate.SetResult();
        await Task.WhenAll(first, second, other);
        Assert.Same(await first, await second);
        Assert.Equal(2, inner.Calls);
        await memo.QueryAsync("example.com", DnsRecordType.Txt, TestContext.Current.CancellationToken);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task QueryAsync_InnerThrows_EveryWaiterSeesIt()
    {
        var memo = new DnsMemo(new ThrowingResolver());
        await Assert.ThrowsAsync<InvalidOperationException>(() => memo.QueryAsync("x.example", DnsRecordType.A, TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => memo.QueryAsync("x.example", DnsRecordType.A, TestContext.Current.CancellationToken).AsTask());
    }

    private sealed class CountingResolver(Task gate) : IDnsResolver
    {
        private int _calls;

        public int Calls => _calls;

        public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            await gate;
            return DnsAnswer.NoData(TimeSpan.FromSeconds(60));
        }
    }

    private sealed class ThrowingResolver : IDnsResolver
    {
        public async ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            throw new InvalidOperationException("resolver broke");
        }
    }
}
