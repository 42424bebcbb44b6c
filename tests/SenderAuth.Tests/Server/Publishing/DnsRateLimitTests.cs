using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Publishing;
using static SenderAuth.Tests.Server.Publishing.PublishingSamples;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// The built-in DNS server's amplification defences: ANY answered minimally (RFC 8482), response-rate limiting per
/// client network with slip, and warnings summarised instead of one per malformed packet.
/// </summary>
[Trait("Layer", "server")]
public sealed class DnsRateLimitTests
{
    private const string Origin = "dkim.provider.example";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DnsRateLimitOptions Limit(double rate = 5, double burst = 5, int slip = 2) =>
        new() { ResponsesPerSecond = rate, Burst = burst, Slip = slip, ExemptLoopback = false };

    [Fact]
    public void Decide_OverBurst_DropsAndSlipsEverySecondThenRefills()
    {
        var time = new FakeTimeProvider();
        var limiter = new DnsRateLimiter(Limit(), time);
        var client = IPAddress.Parse("198.51.100.7");
        var decisions = Enumerable.Range(0, 9).Select(_ => limiter.Decide(client)).ToList();
        Assert.Equal([.. Enumerable.Repeat(RateLimitDecision.Answer, 5),
            RateLimitDecision.Drop, RateLimitDecision.Slip, RateLimitDecision.Drop, RateLimitDecision.Slip], decisions);
        Assert.Equal((2L, 2L), limiter.TakeCounts());
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(client));
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(client));
        Assert.NotEqual(RateLimitDecision.Answer, limiter.Decide(client));
    }

    [Fact]
    public void Decide_CountsPerNetwork_Ipv4Slash24AndIpv6Slash56()
    {
        var limiter = new DnsRateLimiter(Limit(rate: 1, burst: 1), new FakeTimeProvider());
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("198.51.100.7")));
        // Same /24 (and the same address mapped into IPv6): one bucket.
        Assert.NotEqual(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("198.51.100.200")));
        Assert.NotEqual(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("::ffff:198.51.100.1")));
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("198.51.101.7")));
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("2001:db8:aa:bb00::1")));
        Assert.NotEqual(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("2001:db8:aa:bbff::9")));
        Assert.Equal(RateLimitDecision.Answer, limiter.Decide(IPAddress.Parse("2001:db8:aa:bc00::1")));
    }

    [Theory]
    [InlineData(0, RateLimitDecision.Drop)]
    [InlineData(1, RateLimitDecision.Slip)]
    public void Decide_Slip0DropsAll_Slip1TruncatesAll(int slip, RateLimitDecision expected)
    {
        var limiter = new DnsRateLimiter(Limit(rate: 1, burst: 1, slip: slip), new FakeTimeProvider());
        var client = IPAddress.Parse("203.0.113.9");
        limiter.Decide(client);
        Assert.All(Enumerable.Range(0, 6).Select(_ => limiter.Decide(client)), d => Assert.Equal(expected, d));
    }

    [Fact]
    public void Decide_Loopback_ExemptByDefault()
    {
        var limiter = new DnsRateLimiter(new DnsRateLimitOptions { ResponsesPerSecond = 1, Burst = 1 }, new FakeTimeProvider());
        Assert.All(Enumerable.Range(0, 50).Select(_ => limiter.Decide(IPAddress.Loopback)), d => Assert.Equal(RateLimitDecision.Answer, d));
        Assert.Equal(0, limiter.TrackedNetworks);
    }

    [Fact]
    public void Decide_SpoofedSourceFlood_TableStaysBounded()
    {
        var time = new FakeTimeProvider();
        var limiter = new DnsRateLimiter(new DnsRateLimitOptions { ResponsesPerSecond = 5, Burst = 5, MaxTrackedNetworks = 100 }, time);
        for (var i = 0; i < 5000; i++)
        {
            limiter.Decide(new IPAddress([10, (byte)(i >> 8), (byte)i, 1]));
            if (i % 1000 == 999)
            {
                time.Advance(TimeSpan.FromSeconds(2));
            }
        }
        Assert.InRange(limiter.TrackedNetworks, 1, 100);
    }

    [Fact]
    public void Options_OutOfRange_NamedAtStart()
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        options.Notifications.ApplyDefaults();
        options.Publishing.DnsRateLimit = new DnsRateLimitOptions { ResponsesPerSecond = -1, Slip = 11, Ipv6PrefixLength = 8, WarningIntervalSeconds = 0 };
        var failures = OptionsCheck.Validate(options).Failures!.Where(f => f.Contains("DnsRateLimit", StringComparison.Ordinal)).ToList();
        foreach (var setting in new[] { "ResponsesPerSecond", "Slip", "Ipv6PrefixLength", "WarningIntervalSeconds" })
        {
            Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void WarningThrottle_ManyFailures_OneWarningThenASummary()
    {
        var logger = new ListLogger();
        using var throttle = new DnsWarningThrottle(logger, TimeSpan.FromSeconds(60), null, new FakeTimeProvider());
        for (var i = 0; i < 500; i++)
        {
            throttle.Failed(new FormatException("Error parsing dns query"));
        }
        Assert.Single(logger.Lines);
        throttle.Flush();
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("499 more queries failed", logger.Lines[1], StringComparison.Ordinal);
        // The next interval logs its first failure again.
        throttle.Failed(new FormatException("again"));
        Assert.Equal(3, logger.Lines.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Any_ExistingName_OneSynthesizedHinfo(bool tcp)
    {
        await using var server = await StartAsync(new DnsRateLimitOptions());
        var r = await AskAsync(server.AuthoritativeServer!, $"mosa-2025b._domainkey.{Origin}", QueryType.ANY, tcp);
        Assert.Equal(DnsHeaderResponseCode.NoError, r.Header.ResponseCode);
        var hinfo = Assert.IsType<HInfoRecord>(Assert.Single(r.Answers));
        Assert.Equal(("RFC8482", ""), (hinfo.Cpu, hinfo.OS));
        // The apex has SOA, NS and TXT: still one record.
        Assert.IsType<HInfoRecord>(Assert.Single((await AskAsync(server.AuthoritativeServer!, Origin, QueryType.ANY, tcp)).Answers));
        // A missing name is NXDOMAIN as for any type.
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await AskAsync(server.AuthoritativeServer!, $"nokey._domainkey.{Origin}", QueryType.ANY, tcp)).Header.ResponseCode);
    }

    [Fact]
    public async Task Udp_BurstOverLimit_AnswersBurstThenSlipsTruncatedAndDrops()
    {
        await using var server = await StartAsync(Limit(rate: 1, burst: 4, slip: 2));
        var answers = await BurstAsync(server.AuthoritativeServer!, $"mosa-2025b._domainkey.{Origin}", 20);
        Assert.Equal(4, answers.Count(a => !a.Truncated && a.AnswerCount == 1));
        // Of the 16 over the limit every second one goes out truncated and empty, the others get nothing.
        var slipped = answers.Where(a => a.Truncated).ToList();
        Assert.InRange(slipped.Count, 7, 9);
        Assert.All(slipped, a => Assert.Equal(0, a.AnswerCount));
        Assert.InRange(answers.Count, 11, 13);
        // TCP is never limited: a client told to retry gets its answer.
        var tcp = await AskAsync(server.AuthoritativeServer!, $"mosa-2025b._domainkey.{Origin}", QueryType.TXT, tcp: true);
        Assert.Single(tcp.Answers);
    }

    private static async Task<BuiltInDnsServer> StartAsync(DnsRateLimitOptions limit)
    {
        var server = new BuiltInDnsServer(new BuiltInDnsOptions { Listen = Loopback0, RateLimit = limit });
        server.Start();
        await server.PublishAsync(Zone(Origin, 1), Ct);
        return server;
    }

    /// <summary>Sends <paramref name="count"/> TXT queries from one socket at once, then collects answers until none comes for a second.</summary>
    internal static async Task<List<RawDnsQuery.Answer>> BurstAsync(IPEndPoint server, string name, int count)
    {
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        for (var id = 0; id < count; id++)
        {
            var query = new List<byte> { (byte)(id >> 8), (byte)id, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
            foreach (var label in name.Split('.'))
            {
                query.Add((byte)label.Length);
                query.AddRange(Encoding.ASCII.GetBytes(label));
            }
            query.AddRange([0, 0, 16, 0, 1]);
            await udp.SendAsync(query.ToArray(), Ct);
        }
        var answers = new List<RawDnsQuery.Answer>();
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            quiet.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                answers.Add(new RawDnsQuery.Answer((await udp.ReceiveAsync(quiet.Token)).Buffer));
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                return answers;
            }
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
