using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Milter;
using SenderAuth.Server.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// One server whose milter signs mail of unknown domains with the provider's own key (no DNS set-up needed), a
/// short packet timeout, and a few institutions made through the API for the policy cases.
/// </summary>
[Trait("Layer", "server")]
public sealed class MilterServerFixture : IAsyncLifetime
{
    private ServerHost? _host;

    public ServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public string Address => Host.Services.GetRequiredService<MilterListener>().Address!;

    public async ValueTask InitializeAsync()
    {
        _host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "SignWithProviderDomain",
            ["SenderAuth:Milter:PacketTimeoutSeconds"] = "2",
            ["SenderAuth:Milter:MaxPacketBytes"] = "100000",
            ["SenderAuth:Milter:MaxHeaderFields"] = "50",
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

/// <summary>The milter protocol spoken directly over its socket: negotiation, transactions, policy, broken and slow peers.</summary>
[Trait("Layer", "server")]
public sealed class MilterProtocolTests(MilterServerFixture fixture) : IClassFixture<MilterServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Message(string from, string body = "See you at the museum.\r\n") =>
        $"From: Tickets <{from}>\r\nTo: visitor@example.org\r\nSubject: Your ticket\r\n\tfolded subject line\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        + $"Message-ID: <{Guid.NewGuid():N}@example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{body}";

    /// <summary>One message on a connection of its own, negotiated, signed and verified; the connection closed after.</summary>
    private async Task SignOnNewConnectionAsync(string from)
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var message = Message(from);
        await VerifyAsync(MilterClient.Apply(message, await client.SendMessageAsync(message)));
    }

    private async Task<DkimSignatureOutcome> VerifyAsync(string delivered)
    {
        var resolver = fixture.Host.Services.GetRequiredService<IDnsResolver>();
        var outcome = await new DkimVerifier(resolver).VerifyAsync(Encoding.UTF8.GetBytes(delivered), Ct);
        var signature = Assert.Single(outcome.Signatures);
        Assert.True(signature.Result == DkimResult.Pass, $"{signature.Result} {signature.Reason} {signature.Detail}\n{delivered}");
        return signature;
    }

    [Fact]
    public async Task Negotiate_PostfixOffer_AsksForHeadersOnlyWithoutReplies()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        var (version, actions, steps) = await client.NegotiateAsync();
        Assert.Equal(6u, version);
        Assert.Equal(MilterActions.AddHeaders, actions);
        foreach (var step in new[] { MilterSteps.NoConnect, MilterSteps.NoHelo, MilterSteps.NoMail, MilterSteps.NoRecipient, MilterSteps.NoReplyHeader,
            MilterSteps.NoReplyEndOfHeaders, MilterSteps.NoReplyBody, MilterSteps.HeaderLeadingSpace })
        {
            Assert.True(steps.HasFlag(step), $"{step} not asked for: {steps}");
        }
        Assert.False(steps.HasFlag(MilterSteps.NoHeaders) || steps.HasFlag(MilterSteps.NoBody));
    }

    [Fact]
    public async Task Negotiate_Version1_ClosesTheConnection()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        var data = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(data, 1);
        await client.SendBytesAsync(MilterCommand.OptionNegotiation, data);
        Assert.True(await client.ClosedByPeerAsync());
    }

    [Theory]
    [InlineData(65535)]
    [InlineData(7)]
    [InlineData(1)]
    public async Task Transaction_UnknownDomain_SignedWithProviderKeyWhateverTheChunks(int chunk)
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var message = Message("tickets@unknown-milter.example", "Line one  \r\n\r\nLine  three\r\n\r\n\r\n");
        var replies = await client.SendMessageAsync(message, chunk);
        Assert.Equal(MilterReply.Continue, replies[^1].Code);
        var insert = Assert.Single(replies, r => r.Code == MilterReply.InsertHeader).Header();
        Assert.Equal("DKIM-Signature", insert.Name);
        Assert.StartsWith(" v=1; a=rsa-sha256;", insert.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", insert.Value, StringComparison.Ordinal);
        var signature = await VerifyAsync(MilterClient.Apply(message, replies));
        Assert.Equal("ticketing.example", signature.Domain);
    }

    [Fact]
    public async Task Transaction_WithoutLeadingSpaceStep_StillSignsTheWireMessage()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync(steps: MilterClient.PostfixSteps & ~MilterSteps.HeaderLeadingSpace & ~MilterSteps.NoReplyHeader & ~MilterSteps.NoReplyBody);
        var message = Message("tickets@unknown-milter.example");
        var replies = await client.SendMessageAsync(message);
        var insert = Assert.Single(replies, r => r.Code == MilterReply.InsertHeader).Header();
        Assert.StartsWith("v=1;", insert.Value, StringComparison.Ordinal);
        await VerifyAsync(MilterClient.Apply(message, replies).Replace("DKIM-Signature:", "DKIM-Signature: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transaction_SeveralOnOneConnection_EachSignedAfterAbortAndQuitNc()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        // A message aborted half way through its body leaves nothing behind for the next one.
        await client.SendAsync(MilterCommand.Header, "From", " <a@unknown-milter.example>");
        await client.SendBytesAsync(MilterCommand.EndOfHeaders, []);
        await client.SendBytesAsync(MilterCommand.Body, "garbage that must not reach the next hash"u8);
        await client.SendBytesAsync(MilterCommand.Abort, []);
        var first = Message("one@unknown-milter.example");
        await VerifyAsync(MilterClient.Apply(first, await client.SendMessageAsync(first)));
        await client.SendBytesAsync(MilterCommand.QuitNewConnection, []);
        var second = Message("two@unknown-milter.example");
        await VerifyAsync(MilterClient.Apply(second, await client.SendMessageAsync(second)));
        await client.SendBytesAsync(MilterCommand.Quit, []);
        Assert.True(await client.ClosedByPeerAsync());
    }

    [Fact]
    public async Task Transaction_DomainOfInstitutionNotSigning_FollowsItsPolicy()
    {
        var api = fixture.Host.Client();
        var reject = ServerFixture.NewCode("mrej");
        var pass = ServerFixture.NewCode("mpass");
        await api.CreateInstitution(reject);
        await api.CreateDomain(reject, $"{reject}.example");
        await api.CreateInstitution(pass, "passUnsigned");
        await api.CreateDomain(pass, $"{pass}.example");
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();

        var rejected = await client.SendMessageAsync(Message($"tickets@{reject}.example"));
        var verdict = Assert.Single(rejected);
        Assert.Equal(MilterReply.ReplyCode, verdict.Code);
        Assert.Equal($"550 5.7.1 not signed: signing is not enabled for {reject}.example", verdict.Text);

        var passed = Assert.Single(await client.SendMessageAsync(Message($"tickets@{pass}.example")));
        Assert.Equal(MilterReply.Continue, passed.Code);
    }

    [Fact]
    public async Task Transaction_NoFrom_PassesUnsigned()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync("To: a@example.org\r\nSubject: no author\r\n\r\nbody\r\n");
        Assert.Equal(MilterReply.Continue, Assert.Single(replies).Code);
    }

    public static TheoryData<string, byte[]> Broken => new()
    {
        { "length 0", [0, 0, 0, 0] },
        { "length beyond the limit", [0x7F, 0xFF, 0xFF, 0xFF, (byte)'B'] },
        { "unknown command", [0, 0, 0, 1, (byte)'Z'] },
        { "header without NUL", [0, 0, 0, 6, (byte)'L', (byte)'F', (byte)'r', (byte)'o', (byte)'m', (byte)':'] },
        { "header with one field", [0, 0, 0, 6, (byte)'L', (byte)'F', (byte)'r', (byte)'o', (byte)'m', 0] },
        { "short negotiation", [0, 0, 0, 3, (byte)'O', 0, 6] },
        { "connect without family", [0, 0, 0, 3, (byte)'C', (byte)'h', 0] },
        { "macro without command code", [0, 0, 0, 1, (byte)'D'] },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task Packet_Malformed_ClosesOnlyThatConnection(string what, byte[] packet)
    {
        await using var healthy = await MilterClient.ConnectAsync(fixture.Address);
        await healthy.NegotiateAsync();
        await using var broken = await MilterClient.ConnectAsync(fixture.Address);
        if (what != "short negotiation")
        {
            await broken.NegotiateAsync(steps: MilterClient.PostfixSteps & ~MilterSteps.NoConnect);
        }
        await broken.WriteRawAsync(packet);
        Assert.True(await broken.ClosedByPeerAsync(), $"{what}: the connection stayed open");
        var message = Message("after-broken@unknown-milter.example");
        await VerifyAsync(MilterClient.Apply(message, await healthy.SendMessageAsync(message)));
    }

    [Fact]
    public async Task Packet_BeforeNegotiation_ClosesTheConnection()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.SendAsync(MilterCommand.Header, "From", " a@b.example");
        Assert.True(await client.ClosedByPeerAsync());
    }

    [Fact]
    public async Task Headers_BeyondTheFieldLimit_CloseTheConnection()
    {
        await using var client = await MilterClient.ConnectAsync(fixture.Address);
        await client.NegotiateAsync();
        for (var i = 0; i < 51; i++)
        {
            await client.SendAsync(MilterCommand.Header, "X-Filler", $" {i}");
        }
        Assert.True(await client.ClosedByPeerAsync());
    }

    [Fact]
    public async Task Connection_TruncatedInsideAPacket_IsClosedAndOthersGoOn()
    {
        await using (var client = await MilterClient.ConnectAsync(fixture.Address))
        {
            await client.NegotiateAsync();
            await client.SendAsync(MilterCommand.Header, "From", " <a@unknown-milter.example>");
            await client.WriteRawAsync([0, 0, 0x10, 0, (byte)'B', 1, 2, 3]);
        }
        await SignOnNewConnectionAsync("after-truncated@unknown-milter.example");
    }

    [Fact]
    public async Task Connection_StalledInsideAPacket_DoesNotBlockOthersAndIsCutAfterThePacketTimeout()
    {
        // One transaction first, so that the timed one below measures blocking, not the first run of cold code.
        await SignOnNewConnectionAsync("warm-up@unknown-milter.example");
        await using var stalled = await MilterClient.ConnectAsync(fixture.Address);
        await stalled.NegotiateAsync();
        await stalled.WriteRawAsync([0, 0, 0, 100, (byte)'L', (byte)'F']);
        var started = DateTime.UtcNow;
        await SignOnNewConnectionAsync("while-stalled@unknown-milter.example");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "a stalled connection delayed another one");
        // The fixture's packet timeout is 2 s: the stalled one is closed soon after.
        Assert.True(await stalled.ClosedByPeerAsync());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Connections_ManyAtOnce_EveryMessageSigned()
    {
        const int connections = 40;
        const int messages = 5;
        var tasks = Enumerable.Range(0, connections).Select(async c =>
        {
            await using var client = await MilterClient.ConnectAsync(fixture.Address);
            await client.NegotiateAsync();
            for (var m = 0; m < messages; m++)
            {
                var message = Message($"c{c}m{m}@unknown-milter.example", $"connection {c} message {m}\r\n");
                await VerifyAsync(MilterClient.Apply(message, await client.SendMessageAsync(message, chunk: 11)));
            }
            await client.SendBytesAsync(MilterCommand.Quit, []);
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void AuthServIdOf_CommentsAndVersion_ReadsTheId()
    {
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf(" mx.example.net; spf=pass"));
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf(" (forged) mx.example.net 1; dkim=pass"));
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf("mx.example.net;\n\tnone"));
    }

    [Fact]
    public void AuthServIdOf_ManyComments_OnePassSameReading()
    {
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf("(a)(b) (c)mx.example.net(d); none"));
        Assert.Equal("", VerifyingTransaction.AuthServIdOf("(unclosed mx.example.net; none"));
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf("mx.example.net (unclosed; none"));
        // 200 KB of empty comments: rebuilding the text per comment allocated about 60 GB; one pass a few hundred KB.
        var hostile = string.Concat(Enumerable.Repeat("()", 100_000)) + " mx.example.net; none";
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal("mx.example.net", VerifyingTransaction.AuthServIdOf(hostile));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * hostile.Length);
    }
}
