using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Milter;
using SenderAuth.Server.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>A server whose milter runs in verify mode, with authserv-id mx.senderauth.test and a small message limit.</summary>
[Trait("Layer", "server")]
public sealed class MilterVerifyFixture : IAsyncLifetime
{
    private ServerHost? _host;

    public ServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public string Address => Host.Services.GetRequiredService<MilterListener>().Address!;

    public async ValueTask InitializeAsync()
    {
        _host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:Mode"] = "verify",
            ["SenderAuth:Milter:AuthServId"] = "mx.senderauth.test",
            ["SenderAuth:Milter:MaxVerifyMessageBytes"] = "4096",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>
/// Verify mode for inbound mail: Authentication-Results added (SPF, DKIM, DMARC by the engine's MessageVerifier),
/// fields forged with our authserv-id removed (RFC 8601 §5), others kept, and a bounded hold of the message.
/// </summary>
[Trait("Layer", "server")]
public sealed class MilterVerifyTests(MilterVerifyFixture fixture) : IClassFixture<MilterVerifyFixture>
{
    /// <summary>A message signed by the server's HTTP API with the provider's key (d=ticketing.example), so DKIM can pass.</summary>
    private async Task<string> SignedMessageAsync(string extraHeaders, string body)
    {
        var client = fixture.Host.Client();
        var code = ServerFixture.NewCode("mver");
        await client.CreateInstitution(code, "signWithProviderDomain");
        var message = $"{extraHeaders}From: Tickets <tickets@inbound-{code}.example>\r\nTo: visitor@example.org\r\nSubject: Inbound\r\n"
            + $"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@example>\r\n\r\n{body}";
        var response = await client.Sign(message, $"?institution={code}");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Verify_SignedMessageWithForgedResults_AddsOursAndRemovesTheForgedOnes()
    {
        var forged = "Authentication-Results: mx.senderauth.test; dkim=pass header.d=bank.example\r\n"
            + "Authentication-Results: other-mx.example; spf=pass smtp.mailfrom=x@other.example\r\n"
            + "Authentication-Results: (sneaky) MX.SENDERAUTH.TEST 1;\r\n\tdmarc=pass\r\n";
        var message = await SignedMessageAsync(forged, "Hello from outside.\r\n");
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        var (_, actions, steps) = await client.NegotiateAsync();
        Assert.Equal(MilterActions.AddHeaders | MilterActions.ChangeHeaders, actions);
        Assert.False(steps.HasFlag(MilterSteps.NoConnect) || steps.HasFlag(MilterSteps.NoHelo) || steps.HasFlag(MilterSteps.NoMail));
        var replies = await client.SendMessageAsync(message, chunk: 100, clientIp: "192.0.2.25", mailFrom: "<bounce@other.example>");
        Assert.Equal(MilterReply.Continue, replies[^1].Code);
        var removed = replies.Where(r => r.Code == MilterReply.ChangeHeader).Select(r => r.Header()).ToList();
        // Occurrences 1 and 3 of Authentication-Results claim our id; the highest goes first, each emptied (deleted).
        Assert.Equal([(3u, "Authentication-Results", ""), (1u, "Authentication-Results", "")], removed);
        var added = Assert.Single(replies, r => r.Code == MilterReply.InsertHeader).Header();
        Assert.Equal(0u, added.Index);
        Assert.Equal("Authentication-Results", added.Name);
        Assert.StartsWith(" mx.senderauth.test;\n\t", added.Value, StringComparison.Ordinal);
        Assert.Contains("dkim=pass", added.Value, StringComparison.Ordinal);
        Assert.Contains("header.d=ticketing.example", added.Value, StringComparison.Ordinal);
        Assert.Contains("spf=", added.Value, StringComparison.Ordinal);
        Assert.Contains("smtp.mailfrom=bounce@other.example", added.Value, StringComparison.Ordinal);
        Assert.Contains("dmarc=", added.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ForgedResultsWithQuotedIdNestedCommentsFoldingAndCase_AllRemoved()
    {
        // RFC 8601 §2.2 spellings of our id that the first-'('-to-first-')' reader missed, and two that are not ours.
        var forged = "Authentication-Results: \"mx.senderauth.test\"; dkim=pass header.d=bank.example\r\n"
            + "Authentication-Results: (a (nested) comment) mx.senderauth.test; dmarc=pass\r\n"
            + "authentication-results: (x)\r\n\tMx.SenderAuth.Test\r\n\t(v) 1; spf=pass\r\n"
            + "Authentication-Results: other-mx.example (mx.senderauth.test); spf=pass\r\n"
            + "Authentication-Results: \"other-mx.example\"; dkim=pass\r\n";
        var message = await SignedMessageAsync(forged, "Hello from outside.\r\n");
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync(message, clientIp: "192.0.2.25", mailFrom: "<bounce@other.example>");
        Assert.Equal(MilterReply.Continue, replies[^1].Code);
        var removed = replies.Where(r => r.Code == MilterReply.ChangeHeader).Select(r => r.Header()).ToList();
        // Occurrences count case-insensitively, as the MTA counts; each is addressed by the name the MTA sent.
        Assert.Equal([(3u, "authentication-results", ""), (2u, "Authentication-Results", ""), (1u, "Authentication-Results", "")], removed);
    }

    [Fact]
    public async Task Verify_AmbiguousHeaderLine_ResultsCarryTheReasonCode()
    {
        // A second From hidden behind NBSP, put in after signing: our verdict names the rule that refused it.
        var message = await SignedMessageAsync("", "Hello from outside.\r\n");
        message = message.Replace("To: ", "\u00a0From: Evil <evil@attacker.example>\r\nTo: ", StringComparison.Ordinal);
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync(message, clientIp: "192.0.2.25", mailFrom: "<bounce@other.example>");
        var added = Assert.Single(replies, r => r.Code == MilterReply.InsertHeader).Header();
        Assert.Contains("dkim=permerror (ambiguous-header: ", added.Value, StringComparison.Ordinal);
        Assert.Contains("leading-unicode-space", added.Value, StringComparison.Ordinal);
        Assert.Contains("dmarc=permerror (ambiguous-from: ", added.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BodyTamperedWith_DkimFails()
    {
        var message = await SignedMessageAsync("", "Original text.\r\n");
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync(message.Replace("Original text.", "Changed text.", StringComparison.Ordinal));
        var added = Assert.Single(replies, r => r.Code == MilterReply.InsertHeader).Header();
        Assert.Contains("dkim=fail", added.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MessageBeyondTheLimit_NotHeldNoVerdictForgedStillRemoved()
    {
        var message = "Authentication-Results: mx.senderauth.test; dkim=pass\r\nFrom: a@big.example\r\nSubject: big\r\n\r\n" + new string('x', 6000) + "\r\n";
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync(message, chunk: 1000);
        Assert.Equal(MilterReply.Continue, replies[^1].Code);
        Assert.DoesNotContain(replies, r => r.Code == MilterReply.InsertHeader);
        Assert.Equal((1u, "Authentication-Results", ""), Assert.Single(replies, r => r.Code == MilterReply.ChangeHeader).Header());
    }
}
