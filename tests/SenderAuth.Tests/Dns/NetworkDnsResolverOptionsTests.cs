using System.Net;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

[Trait("Layer", "engine")]
public class NetworkDnsResolverOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 53)]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData(" 192.0.2.1:1 ", "192.0.2.1", 1)]
    [InlineData("[::1]:5353", "::1", 5353)]
    [InlineData("[2001:db8::1]", "2001:db8::1", 53)]
    [InlineData("2001:db8::1", "2001:db8::1", 53)]
    public void ParseEndpoint_AcceptsHostAndPortForms(string text, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), NetworkDnsResolverOptions.ParseEndpoint(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:x")]
    [InlineData("[::1")]
    [InlineData("[::1]5353")]
    [InlineData("[127.0.0.1]:53")]
    [InlineData(":53")]
    public void ParseEndpoint_RejectsBadInputWithReason(string text)
    {
        var ex = Assert.Throws<FormatException>(() => NetworkDnsResolverOptions.ParseEndpoint(text));
        Assert.Contains("invalid DNS server", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var o = new NetworkDnsResolverOptions();
        Assert.Equal((TimeSpan.FromSeconds(2), 2, true, 53, 0), (o.Timeout, o.Retries, o.UseTcpFallback, o.Port, o.Servers.Count));
    }
}
