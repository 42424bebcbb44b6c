using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Webhooks;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Webhooks cannot reach the internal network: the address policy on its own, registration of a literal internal
/// address, and delivery to a host name that resolves to loopback (refused on the connected address, after DNS), each
/// with and without the operator's allowlist.
/// </summary>
[Trait("Layer", "server")]
public sealed class WebhookAddressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly WebhookAddressPolicy NoAllowlist = new([]);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "metadata")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "metadata")]
    [InlineData("2002:c0a8:0101::1", "private")]
    public void Refusal_InternalAddress_NamesWhatItIs(string address, string expected)
    {
        var why = NoAllowlist.Refusal(IPAddress.Parse(address));
        Assert.NotNull(why);
        Assert.Contains(expected, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("100.128.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Refusal_PublicAddress_IsNull(string address) => Assert.Null(NoAllowlist.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Refusal_AllowedNetwork_IsNullAlsoInMappedForm()
    {
        var policy = new WebhookAddressPolicy(WebhookAddressPolicy.ParseNetworks(["127.0.0.0/8", "fd00:1::5"], out var invalid));
        Assert.Empty(invalid);
        Assert.Null(policy.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policy.Refusal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Null(policy.Refusal(IPAddress.Parse("fd00:1::5")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("fd00:1::6")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void AllowedNetworks_NotCidr_FailsAtStart()
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        options.Notifications.ApplyDefaults();
        options.Notifications.AllowedNetworks.AddRange(["10.0.0.0/8", "10.0.0.0/33", "intranet"]);
        var failures = OptionsCheck.Validate(options).Failures!.Where(f => f.Contains("AllowedNetworks", StringComparison.Ordinal)).ToList();
        var failure = Assert.Single(failures);
        Assert.Contains("\"10.0.0.0/33\", \"intranet\"", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_LiteralInternalAddress_Is400WithTheReason()
    {
        (string Url, string Expected)[] table =
        [
            ("http://127.0.0.1:8080/hook", "loopback"),
            ("http://[::1]/hook", "loopback"),
            ("http://169.254.169.254/latest/meta-data/", "metadata"),
            ("http://[::ffff:10.0.0.1]/hook", "private"),
            ("http://2130706433/hook", "loopback"),
            ("http://0x7f.1/hook", "loopback"),
            ("https://192.168.0.10/hook", "private"),
            ("http://[fd00::5]:8443/hook", "unique-local"),
        ];
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Notifications:SendWebhooks"] = "false" });
        var op = host.Client();
        await op.CreateInstitution("addra");
        var inst = host.Client(await op.CreateInstitutionKey("addra"));
        foreach (var (url, expected) in table)
        {
            var detail = (await (await inst.PostJson("/api/v1/webhooks", new { url })).Json(HttpStatusCode.BadRequest)).ToJsonString();
            Assert.True(detail.Contains(expected, StringComparison.Ordinal) && detail.Contains("AllowedNetworks", StringComparison.Ordinal), $"{url}: {detail}");
        }
        var list = await (await inst.GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Deliver_NameResolvingToLoopback_IsRefusedOnTheConnectedAddress()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Notifications:SendWebhooks"] = "false" },
            s => s.AddSingleton<TimeProvider>(time));
        await using var receiver = await WebhookReceiver.StartAsync();
        var op = host.Client();
        await op.CreateInstitution("addrb");
        var inst = host.Client(await op.CreateInstitutionKey("addrb"));
        // A name passes registration (nothing is resolved then); "localhost" resolves to the receiver's loopback address.
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var hook = (await (await inst.PostJson("/api/v1/webhooks", new { url })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>();
        await (await inst.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);

        Assert.Equal(1, await host.Services.GetRequiredService<WebhookSender>().DeliverDueAsync(Ct));

        Assert.Empty(receiver.Received);
        var last = (await (await inst.GetAsync($"/api/v1/webhooks/{hook}/deliveries", Ct)).Json(HttpStatusCode.OK))["items"]![0]!;
        // The same generic text as a closed port: a distinct refusal would tell the tenant which names resolve inside.
        Assert.Equal(WebhookSender.DeliveryFailed, last["lastError"]!.GetValue<string>());
        Assert.Null(last["lastStatus"]);
        // The retry (due after 1 min ± the 10 % jitter) goes through the same check.
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await host.Services.GetRequiredService<WebhookSender>().DeliverDueAsync(Ct));
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Deliver_NameResolvingToAnAllowedNetwork_Arrives()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new()
        {
            ["SenderAuth:Notifications:SendWebhooks"] = "false",
            ["SenderAuth:Notifications:AllowedNetworks:0"] = "127.0.0.1",
            ["SenderAuth:Notifications:AllowedNetworks:1"] = "::1",
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        var op = host.Client();
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var created = await (await op.PostJson("/api/v1/webhooks", new { url })).Json(HttpStatusCode.Created);
        receiver.Secret = created["secret"]!.GetValue<string>();
        await (await op.PostAsync($"/api/v1/webhooks/{created["id"]}/test", null, Ct)).Json(HttpStatusCode.Accepted);

        Assert.Equal(1, await host.Services.GetRequiredService<WebhookSender>().DeliverDueAsync(Ct));

        Assert.True(Assert.Single(receiver.Received).SignatureValid);
    }

    [Fact]
    public async Task Deliver_RedirectIsNotFollowed_ShownAsItsStatus()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new()
        {
            ["SenderAuth:Notifications:SendWebhooks"] = "false",
            ["SenderAuth:Notifications:AllowedNetworks:0"] = "127.0.0.1",
        });
        // The second listener stands for an internal service: a redirect must not carry the delivery there.
        await using var second = await WebhookReceiver.StartAsync();
        var redirector = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        redirector.Start();
        try
        {
            var answered = Task.Run(async () =>
            {
                using var connection = await redirector.AcceptTcpClientAsync(Ct);
                var stream = connection.GetStream();
                // Read the request head (the body is small and may follow in the same packets; it is not needed).
                var buffer = new byte[65536];
                var read = 0;
                while (!System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read), Ct);
                    if (n == 0)
                    {
                        break;
                    }
                    read += n;
                }
                var reply = $"HTTP/1.1 302 Found\r\nLocation: {second.Url}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply), Ct);
            }, Ct);
            var url = $"http://127.0.0.1:{((IPEndPoint)redirector.LocalEndpoint).Port}/hook";
            var op = host.Client();
            var created = await (await op.PostJson("/api/v1/webhooks", new { url })).Json(HttpStatusCode.Created);
            second.Secret = created["secret"]!.GetValue<string>();
            await (await op.PostAsync($"/api/v1/webhooks/{created["id"]}/test", null, Ct)).Json(HttpStatusCode.Accepted);

            Assert.Equal(1, await host.Services.GetRequiredService<WebhookSender>().DeliverDueAsync(Ct));
            await answered.WaitAsync(TimeSpan.FromSeconds(10), Ct);

            var last = (await (await op.GetAsync($"/api/v1/webhooks/{created["id"]}/deliveries", Ct)).Json(HttpStatusCode.OK))["items"]![0]!;
            Assert.Equal("HTTP 302", last["lastError"]!.GetValue<string>());
            Assert.Equal(302, last["lastStatus"]!.GetValue<int>());
            Assert.Null(last["deliveredAt"]);
            Assert.Empty(second.Received);
        }
        finally
        {
            redirector.Stop();
        }
    }
}
