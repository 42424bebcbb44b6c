using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Milter;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// Who may use the milter and as whom: the peer allowlist on accept, the start-up refusal of a non-loopback bind
/// without one, and Milter:PeerInstitutions tying an SMTP client address or SMTP AUTH identity to one institution,
/// spoken over the milter socket as Postfix does.
/// </summary>
[Trait("Layer", "server")]
public sealed class MilterPeerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Message(string from) =>
        $"From: Tickets <{from}>\r\nTo: visitor@example.org\r\nSubject: Your ticket\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        + $"Message-ID: <{Guid.NewGuid():N}@example>\r\n\r\nSee you at the museum.\r\n";

    private static async Task<(ServerHost Host, string A, string B)> StartMappedAsync(string onForeign = "Reject")
    {
        var a = ServerFixture.NewCode("mpa");
        var b = ServerFixture.NewCode("mpb");
        var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "SignWithProviderDomain",
            ["SenderAuth:Milter:AllowedPeers:0"] = "127.0.0.0/8",
            ["SenderAuth:Milter:PeerInstitutions:0:Network"] = "192.0.2.0/24",
            ["SenderAuth:Milter:PeerInstitutions:0:Institution"] = a,
            ["SenderAuth:Milter:PeerInstitutions:1:AuthIdentity"] = "relay-b@submission",
            ["SenderAuth:Milter:PeerInstitutions:1:Institution"] = b,
            ["SenderAuth:Milter:OnForeignDomain"] = onForeign,
        });
        var api = host.Client();
        await api.CreateInstitution(a, "passUnsigned");
        await api.CreateDomain(a, $"{a}.example");
        await api.CreateInstitution(b, "passUnsigned");
        await api.CreateDomain(b, $"{b}.example");
        return (host, a, b);
    }

    [Fact]
    public async Task MappedClientAddress_AnotherInstitutionsDomain_Rejected_OwnAndUnknownPass()
    {
        var (host, a, b) = await StartMappedAsync();
        await using var _ = host;
        await using var client = await MilterClient.ConnectAsync(host.Services.GetRequiredService<MilterListener>().Address!);
        var (_, actions, steps) = await client.NegotiateAsync();
        // A mapping needs the client: the connect and MAIL steps are asked for, without replies.
        Assert.False(steps.HasFlag(MilterSteps.NoConnect) || steps.HasFlag(MilterSteps.NoMail));
        Assert.True(steps.HasFlag(MilterSteps.NoReplyConnect) && steps.HasFlag(MilterSteps.NoReplyMail));
        Assert.True(actions.HasFlag(MilterActions.SetSymbolList));

        var foreign = Assert.Single(await client.SendMessageAsync(Message($"tickets@{b}.example"), clientIp: "192.0.2.44"));
        Assert.Equal(MilterReply.ReplyCode, foreign.Code);
        Assert.Equal($"550 5.7.1 not signed: {b}.example is not a sender domain of institution {a}, which this client sends for", foreign.Text);

        var own = Assert.Single(await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "192.0.2.44"));
        Assert.Equal(MilterReply.Continue, own.Code);
        // A domain of no institution is no other institution's: the unknown-domain policy applies (signed here).
        Assert.Contains(await client.SendMessageAsync(Message("tickets@nobody.example"), clientIp: "192.0.2.44"), r => r.Code == MilterReply.InsertHeader);
    }

    [Fact]
    public async Task UnmappedClient_DomainNotSigning_FollowsItsPolicy_AuthIdentityMapsAndIsForgottenOnTheNextMail()
    {
        var (host, a, b) = await StartMappedAsync(onForeign: "Tempfail");
        await using var _ = host;
        var address = host.Services.GetRequiredService<MilterListener>().Address!;
        await using var client = await MilterClient.ConnectAsync(address);
        await client.NegotiateAsync();
        // 198.51.100.9 is in no mapped network. The domain does not sign (passUnsigned): nothing would be signed for
        // the institution, so its policy applies (UnmappedPeers refuses only what would be signed).
        Assert.Equal(MilterReply.Continue, Assert.Single(await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "198.51.100.9")).Code);

        var tied = Assert.Single(await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "198.51.100.9", authIdentity: "RELAY-B@submission"));
        Assert.Equal($"451 4.7.1 not signed: {a}.example is not a sender domain of institution {b}, which this client sends for", tied.Text);
        Assert.Equal(MilterReply.Continue, Assert.Single(await client.SendMessageAsync(Message($"tickets@{b}.example"), clientIp: "198.51.100.9", authIdentity: "relay-b@submission")).Code);
        // The next MAIL without {auth_authen}: the identity of the previous one does not carry over.
        Assert.Equal(MilterReply.Continue, Assert.Single(await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "198.51.100.9")).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Allow")]
    public async Task UnmappedClient_InstitutionDomainThatWouldBeSigned_RefusedUnlessAllowed(string? unmapped)
    {
        // Only an AUTH identity is mapped: a client that does not authenticate matches no entry.
        var a = ServerFixture.NewCode("mua");
        var settings = new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:AllowedPeers:0"] = "127.0.0.0/8",
            ["SenderAuth:Milter:PeerInstitutions:0:AuthIdentity"] = "relay-a@submission",
            ["SenderAuth:Milter:PeerInstitutions:0:Institution"] = a,
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "SignWithProviderDomain",
        };
        if (unmapped is not null)
        {
            settings["SenderAuth:Milter:UnmappedPeers"] = unmapped;
        }
        await using var host = await ServerHost.StartAsync("sqlite", settings);
        var api = host.Client();
        // Its domain does not sign yet: the institution's policy signs its mail with the provider domain for it.
        await api.CreateInstitution(a, "signWithProviderDomain");
        await api.CreateDomain(a, $"{a}.example");
        await using var client = await MilterClient.ConnectAsync(host.Services.GetRequiredService<MilterListener>().Address!);
        await client.NegotiateAsync();

        var anonymous = await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "198.51.100.9");
        if (unmapped is null)
        {
            var refused = Assert.Single(anonymous);
            Assert.Equal(MilterReply.ReplyCode, refused.Code);
            Assert.Equal($"550 5.7.1 not signed: this client is not tied to any institution, so it may not send as {a}.example", refused.Text);
        }
        else
        {
            Assert.Contains(anonymous, r => r.Code == MilterReply.InsertHeader);
        }
        // The mapped identity signs for its institution; a domain of no institution follows UnknownDomainPolicy either way.
        Assert.Contains(await client.SendMessageAsync(Message($"tickets@{a}.example"), clientIp: "198.51.100.9", authIdentity: "relay-a@submission"), r => r.Code == MilterReply.InsertHeader);
        Assert.Contains(await client.SendMessageAsync(Message("tickets@nobody.example"), clientIp: "198.51.100.9"), r => r.Code == MilterReply.InsertHeader);
    }

    [Fact]
    public void RefusedPeersAndConnectionFlood_OneWarningAMinuteEachThenACount()
    {
        var logger = new ListLogger();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var warnings = new MilterWarnings(logger, time);
        for (var i = 0; i < 300; i++)
        {
            warnings.PeerRefused(System.Net.IPAddress.Parse("203.0.113.7"));
            warnings.TooManyConnections(1000);
        }
        // One line per kind in full, the rest held back.
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains(logger.Lines, l => l.StartsWith("milter: connection from 203.0.113.7 refused: not in SenderAuth:Milter:AllowedPeers", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.StartsWith("milter: 1000 connections already (Milter:MaxConnections)", StringComparison.Ordinal));
        // The minute ends on the timer: one count line per kind.
        time.Advance(MilterWarnings.Interval);
        Assert.Equal(4, logger.Lines.Count);
        Assert.Contains(logger.Lines, l => l.StartsWith("milter: 299 more connections refused (not in SenderAuth:Milter:AllowedPeers) in the last 60 s", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.StartsWith("milter: 299 more connections closed over Milter:MaxConnections in the last 60 s", StringComparison.Ordinal));
        // A quiet minute adds nothing; the next refusal is logged in full again.
        time.Advance(MilterWarnings.Interval);
        Assert.Equal(4, logger.Lines.Count);
        warnings.PeerRefused(System.Net.IPAddress.Parse("203.0.113.8"));
        Assert.Equal(5, logger.Lines.Count);
        Assert.All(logger.Levels, level => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public List<Microsoft.Extensions.Logging.LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
                Levels.Add(logLevel);
            }
        }
    }

    [Fact]
    public async Task Negotiation_WithMapping_AsksForClientAddressAndAuthMacros()
    {
        var (host, _, _) = await StartMappedAsync();
        await using var _host = host;
        await using var client = await MilterClient.ConnectAsync(host.Services.GetRequiredService<MilterListener>().Address!);
        var offer = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(offer, 6);
        BinaryPrimitives.WriteUInt32BigEndian(offer.AsSpan(4), (uint)MilterClient.PostfixActions);
        BinaryPrimitives.WriteUInt32BigEndian(offer.AsSpan(8), (uint)MilterClient.PostfixSteps);
        await client.SendBytesAsync(MilterCommand.OptionNegotiation, offer);
        var reply = await client.ReadAsync();
        Assert.NotNull(reply);
        // After version, actions and steps: (stage, "names\0") pairs as libmilter's smfi_setsymlist sends them.
        var lists = new Dictionary<uint, string>();
        for (var at = 12; at < reply.Data.Length;)
        {
            var stage = BinaryPrimitives.ReadUInt32BigEndian(reply.Data.AsSpan(at));
            var end = Array.IndexOf(reply.Data, (byte)0, at + 4);
            lists[stage] = Encoding.ASCII.GetString(reply.Data, at + 4, end - at - 4);
            at = end + 1;
        }
        Assert.Equal("{client_addr}", lists[0]);
        Assert.Contains("{auth_authen}", lists[2], StringComparison.Ordinal);
        Assert.Contains("i", lists[2].Split(' '));
    }

    [Fact]
    public async Task PeerNotInAllowedPeers_ClosedOnAccept()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:AllowedPeers:0"] = "192.0.2.0/24",
        });
        await using var client = await MilterClient.ConnectAsync(host.Services.GetRequiredService<MilterListener>().Address!);
        Assert.True(await client.ClosedByPeerAsync());
    }

    [Fact]
    public void Options_NonLoopbackListenWithoutAllowedPeers_RefusedAtStart()
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        options.Notifications.ApplyDefaults();
        foreach (var listen in new[] { "inet:0.0.0.0:8891", "inet6:[::]:8891", "inet:192.0.2.10:8891" })
        {
            options.Milter.Listen = listen;
            Assert.Contains(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("is not loopback", StringComparison.Ordinal) && f.Contains("AllowedPeers", StringComparison.Ordinal));
        }
        options.Milter.AllowedPeers.Add("10.0.5.0/24");
        Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("SenderAuth:Milter", StringComparison.Ordinal));
        foreach (var listen in new[] { "inet:127.0.0.1:8891", "inet6:[::1]:8891", "unix:/run/senderauth/milter.sock" })
        {
            options.Milter.AllowedPeers.Clear();
            options.Milter.Listen = listen;
            Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("SenderAuth:Milter", StringComparison.Ordinal));
        }

        options.Milter.AllowedPeers.Add("10.0.5.0/99");
        options.Milter.PeerInstitutions.Add(new MilterPeerInstitution { Institution = "mosa" });
        options.Milter.PeerInstitutions.Add(new MilterPeerInstitution { Network = "intranet", Institution = "mosa" });
        options.Milter.PeerInstitutions.Add(new MilterPeerInstitution { AuthIdentity = "relay" });
        var failures = OptionsCheck.Validate(options).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("SenderAuth:Milter:AllowedPeers: \"10.0.5.0/99\"", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SenderAuth:Milter:PeerInstitutions:0: give Network", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SenderAuth:Milter:PeerInstitutions:1: Network \"intranet\"", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SenderAuth:Milter:PeerInstitutions:2: Institution", StringComparison.Ordinal));
    }
}
