using System.Net;
using System.Text.RegularExpressions;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// The built-in DNS server of the real process (<c>./senderauth serve</c>), asked by BIND's dig: ANY is answered
/// minimally (RFC 8482), a UDP burst from one client network is rate limited (some answers truncated, some dropped,
/// TCP still answered), and the limit is reported in the log as one summary line.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "dig")]
public sealed partial class BuiltInDnsProcessTests
{
    private const string OperatorKey = "sa_dns-process-test-key-0123456789ab";

    [Fact]
    public async Task Serve_DigAnyMinimal_AndUdpBurstRateLimited()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("sa-dnsproc-");
        try
        {
            await using var server = await ServerProcess.StartAsync(
            [
                "serve", "--data", data.FullName, "--dns", "127.0.0.1:0",
                // dig runs on loopback, which is exempt by default (the server's own checks ask over it).
                "--SenderAuth:Publishing:DnsRateLimit:ExemptLoopback=false",
                "--SenderAuth:Publishing:DnsRateLimit:ResponsesPerSecond=1",
                "--SenderAuth:Publishing:DnsRateLimit:Burst=5",
                "--SenderAuth:Publishing:DnsRateLimit:WarningIntervalSeconds=1",
            ], OperatorKey, null, ct);
            var dns = IPEndPoint.Parse(server.DnsAddress ?? throw new InvalidOperationException("no DNS address in the banner:\n" + server.Log));
            var zone = ZoneLine().Match(server.Log).Groups[1].Value;

            var any = await DigTool.QueryAsync(dns, zone, "ANY", ct);
            Assert.Contains("ANSWER: 1,", any, StringComparison.Ordinal);
            Assert.Matches($@"(?m)^{Regex.Escape(zone)}\.\s+3600\s+IN\s+HINFO\s+""RFC8482"" """"", any);
            Assert.Contains("flags: qr aa", any, StringComparison.Ordinal);

            // 4 burst tokens are left after dig's query: of 20 more, 4 answered, of the 16 over the limit half truncated.
            var answers = await DnsRateLimitTests.BurstAsync(dns, zone, 20);
            Assert.InRange(answers.Count(a => !a.Truncated), 4, 6);
            Assert.InRange(answers.Count(a => a.Truncated && a.AnswerCount == 0), 6, 9);
            Assert.True(answers.Count < 20, $"{answers.Count} answers to 20 queries over the limit");
            // A client told to retry over TCP gets its answer: dig follows TC=1 by itself, and TCP is not limited.
            var tcp = await DigTool.QueryAsync(dns, zone, "SOA", ct, "+tcp");
            Assert.Contains("ANSWER: 1,", tcp, StringComparison.Ordinal);

            for (var i = 0; i < 50 && !server.Log.Contains("response-rate limit dropped", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100, ct);
            }
            Assert.Matches(@"response-rate limit dropped [1-9]\d* and truncated [1-9]\d* UDP answers", server.Log);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"(?m)^\s+zone\s+(\S+) published by builtin")]
    private static partial Regex ZoneLine();
}
