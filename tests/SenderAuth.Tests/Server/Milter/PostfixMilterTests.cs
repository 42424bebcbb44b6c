using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// A real Postfix (Debian's, private instance on loopback) with our server as its milter: mail of two institutions
/// leaves signed with each one's key and verifies with dkimpy and libopendkim; mail of an unknown domain and of a
/// domain not signing follows the policy; a milter killed and restarted while Postfix keeps sending loses nothing.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
[Trait("Needs", "peers")]
[Trait("Needs", "postfix")]
[Collection(ProviderZoneCollection.Name)]
public sealed partial class PostfixMilterTests
{
    private static int _counter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Code(string prefix) => $"{prefix}{Environment.ProcessId % 1000}x{Interlocked.Increment(ref _counter)}{Guid.NewGuid().ToString("N")[..4]}";

    [Fact]
    public async Task Postfix_TwoInstitutions_SignedWithTheirKeysAndVerifiedByPeers()
    {
        await using var world = await PostfixWorld.StartAsync(Ct);
        var a = await world.OnboardAsync(Code("pfa"), enableSigning: true);
        var b = await world.OnboardAsync(Code("pfb"), enableSigning: true);
        var ids = new List<(string Id, string Domain)>();
        foreach (var domain in new[] { a, b, a, b })
        {
            var id = Guid.NewGuid().ToString("N");
            var (code, transcript) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{domain}", id);
            Assert.True(code == 0, $"swaks exited {code}:\n{transcript}\n{world.Server.LogTail(20)}");
            ids.Add((id, domain));
        }
        var delivered = await world.DeliveredAsync(ids.Select(i => i.Id).ToList(), 30);
        Assert.Equal(ids.Count, delivered.Count);
        foreach (var (id, domain) in ids)
        {
            var signature = Assert.Single(PostfixWorld.Signatures(delivered[id]));
            Assert.Equal((domain, "stxsel1"), signature);
        }
        var (json, keyFile, files) = world.PeerFiles(ids.Select(i => delivered[i.Id]));
        foreach (var name in new[] { "dkimpy", "opendkim" })
        {
            var peer = PeerTool.Get(name);
            await peer.RequireAsync("rsa-sha256");
            var answers = await peer.VerifyAsync(json, keyFile, files);
            Assert.All(answers, answer => Assert.True(answer.Result == "pass", $"{name}: {answer.Result} {answer.Reason}"));
        }
        // The keys are the institutions' own: each one's mail does not verify with the other's key.
        Assert.NotEqual(world.Keys[$"stxsel1._domainkey.{a}"], world.Keys[$"stxsel1._domainkey.{b}"]);
    }

    /// <summary>
    /// Milter:PeerInstitutions by client address through Postfix: Postfix's SMTP clients here come from loopback,
    /// which is tied to one institution; its mail is signed, and the other institution's domain is refused with an
    /// SMTP reply the client sees (Postfix takes the milter's negotiation with the steps and macros asked for).
    /// </summary>
    [Fact]
    public async Task Postfix_ClientAddressTiedToAnInstitution_OtherInstitutionsDomainRejected()
    {
        var own = Code("pfo");
        var other = Code("pfx");
        await using var world = await PostfixWorld.StartAsync(Ct,
            "--SenderAuth:Milter:PeerInstitutions:0:Network=127.0.0.0/8", $"--SenderAuth:Milter:PeerInstitutions:0:Institution={own}");
        var ownDomain = await world.OnboardAsync(own, enableSigning: true);
        var otherDomain = await world.OnboardAsync(other, enableSigning: true);

        var (refusedCode, refused) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{otherDomain}", Guid.NewGuid().ToString("N"));
        Assert.NotEqual(0, refusedCode);
        Assert.Contains($"550 5.7.1 not signed: {otherDomain} is not a sender domain of institution {own}, which this client sends for", refused, StringComparison.Ordinal);

        var id = Guid.NewGuid().ToString("N");
        var (code, transcript) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{ownDomain}", id);
        Assert.True(code == 0, $"swaks exited {code}:\n{transcript}\n{world.Server.LogTail(20)}");
        var message = await world.DeliveredAsync(id);
        Assert.NotNull(message);
        Assert.Equal((ownDomain, "stxsel1"), Assert.Single(PostfixWorld.Signatures(message)));
        Assert.Contains($"From domain {otherDomain} belongs to another institution than {own}", world.Server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_UnknownDomainAndDomainNotSigning_FollowThePolicy()
    {
        await using var world = await PostfixWorld.StartAsync(Ct);
        var passing = await world.OnboardAsync(Code("pfp"), enableSigning: false, policy: "passUnsigned");
        var rejecting = await world.OnboardAsync(Code("pfr"), enableSigning: false);

        // Unknown domain: the server runs with Milter:UnknownDomainPolicy=Reject.
        var (unknownCode, unknown) = await PostfixWorld.SwaksAsync(world.Smtp, "tickets@nobody-knows.example", Guid.NewGuid().ToString("N"));
        Assert.NotEqual(0, unknownCode);
        Assert.Contains("550 5.7.1 not signed: nobody-knows.example is not a sender domain of any institution", unknown, StringComparison.Ordinal);

        var (rejectCode, rejected) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{rejecting}", Guid.NewGuid().ToString("N"));
        Assert.NotEqual(0, rejectCode);
        Assert.Contains($"550 5.7.1 not signed: signing is not enabled for {rejecting}", rejected, StringComparison.Ordinal);

        var id = Guid.NewGuid().ToString("N");
        var (passCode, passed) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{passing}", id);
        Assert.True(passCode == 0, passed);
        var message = await world.DeliveredAsync(id);
        Assert.NotNull(message);
        Assert.Empty(PostfixWorld.Signatures(message));
    }

    [Fact]
    public async Task Postfix_MilterKilledAndRestartedWhileSending_EveryMessageArrivesSigned()
    {
        await using var world = await PostfixWorld.StartAsync(Ct);
        var domain = await world.OnboardAsync(Code("pfk"), enableSigning: true);
        const int total = 30;
        var ids = Enumerable.Range(0, total).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        var sent = 0;
        var sender = Task.Run(async () =>
        {
            foreach (var id in ids)
            {
                // Through the queue port: accepted at once, relayed to the milter port, retried while the milter is down.
                var (code, transcript) = await PostfixWorld.SwaksAsync(world.Queue, $"tickets@{domain}", id);
                Assert.True(code == 0, $"swaks exited {code}:\n{transcript}");
                Interlocked.Increment(ref sent);
            }
        }, Ct);
        while (Volatile.Read(ref sent) < total / 3 && !sender.IsCompleted)
        {
            await Task.Delay(50, Ct);
        }
        var maillog = Path.Combine(Path.GetDirectoryName(PostfixWorld.Env("SENDERAUTH_TEST_POSTFIX_CONFIG"))!, "maillog");
        var before = File.ReadAllLines(maillog).Length;
        world.Server.Kill();
        await world.Server.DisposeAsync();
        // The restart waits until Postfix has met the milter down (a refused connect, or the session the kill cut),
        // rather than for a fixed time: on a loaded machine a fixed pause may see no delivery attempt at all.
        Assert.True(await MetMilterDownAsync(maillog, before, world.Milter, TimeSpan.FromSeconds(60)), "Postfix never tried the milter while it was down");
        await world.StartServerAsync(Ct);
        await sender;
        var delivered = await world.DeliveredAsync(ids, 120);
        Assert.True(delivered.Count == total, $"{delivered.Count} of {total} messages arrived; missing: {string.Join(", ", ids.Where(i => !delivered.ContainsKey(i)))}\n"
            + $"queue:\n{PostfixWorld.Queued()}\nwhat Postfix logged of the missing ones:\n{History(maillog, ids.Where(i => !delivered.ContainsKey(i)))}\nserver log tail:\n{world.Server.LogTail(40)}");
        foreach (var id in ids)
        {
            Assert.Equal((domain, "stxsel1"), Assert.Single(PostfixWorld.Signatures(delivered[id])));
        }
        var (json, keyFile, files) = world.PeerFiles(ids.Select(i => delivered[i]));
        var dkimpy = PeerTool.Get("dkimpy");
        await dkimpy.RequireAsync("rsa-sha256");
        Assert.All(await dkimpy.VerifyAsync(json, keyFile, files), answer => Assert.True(answer.Result == "pass", $"dkimpy: {answer.Result} {answer.Reason}"));
    }

    [Fact]
    public async Task Postfix_VerifyMode_AddsAuthenticationResultsAndDropsForgedOnes()
    {
        await using var world = await PostfixWorld.StartAsync(Ct, "--SenderAuth:Milter:Mode=verify", "--SenderAuth:Milter:AuthServId=mx.senderauth.test");
        var domain = await world.OnboardAsync(Code("pfv"), enableSigning: true);
        // Signed by the same server's HTTP API, then received through Postfix as inbound mail.
        var id = Guid.NewGuid().ToString("N");
        var message = "Authentication-Results: mx.senderauth.test; dkim=pass header.d=bank.example\r\n"
            + "Authentication-Results: upstream.example; spf=pass smtp.mailfrom=a@upstream.example\r\n"
            + $"From: Tickets <tickets@{domain}>\r\nTo: visitor@example.org\r\nSubject: Inbound\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            + $"Message-ID: <{id}@senderauth.test>\r\n\r\nHello from outside.\r\n";
        using var api = world.Server.Client();
        using var signedResponse = await api.Sign(message);
        Assert.Equal(System.Net.HttpStatusCode.OK, signedResponse.StatusCode);
        var file = Path.Combine(Path.GetTempPath(), $"sa-inbound-{id}.eml");
        await File.WriteAllBytesAsync(file, await signedResponse.Content.ReadAsByteArrayAsync(Ct), Ct);
        try
        {
            var (code, transcript) = await PostfixWorld.SwaksDataAsync(world.Smtp, $"bounce@{domain}", file);
            Assert.True(code == 0, transcript);
        }
        finally
        {
            File.Delete(file);
        }
        var delivered = await world.DeliveredAsync(id);
        Assert.NotNull(delivered);
        var fields = SenderAuth.Mail.MailMessage.Parse(delivered).All("Authentication-Results").Select(h => h.Value).ToList();
        Assert.Equal(2, fields.Count);
        var ours = Assert.Single(fields, f => f.StartsWith("mx.senderauth.test;", StringComparison.Ordinal));
        Assert.Contains($"dkim=pass", ours, StringComparison.Ordinal);
        Assert.Contains($"header.d={domain}", ours, StringComparison.Ordinal);
        Assert.Contains("spf=", ours, StringComparison.Ordinal);
        Assert.Contains("dmarc=", ours, StringComparison.Ordinal);
        Assert.DoesNotContain("bank.example", ours, StringComparison.Ordinal);
        Assert.Single(fields, f => f.StartsWith("upstream.example;", StringComparison.Ordinal));
    }

    /// <summary>Every maillog line of the queue entries that carry these message ids (the queue's and the submission port's).</summary>
    private static string History(string maillog, IEnumerable<string> ids)
    {
        var lines = File.ReadAllLines(maillog);
        var queueIds = ids.SelectMany(id => lines.Select(l => QueueEntry().Match(l)).Where(m => m.Success && m.Groups[2].Value == id).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        return string.Join('\n', lines.Where(l => queueIds.Any(q => l.Contains($" {q}: ", StringComparison.Ordinal))));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" ([0-9A-F]{6,}): message-id=<([0-9a-f]+)@")]
    private static partial System.Text.RegularExpressions.Regex QueueEntry();

    /// <summary>Whether the maillog, after its first <paramref name="skip"/> lines, shows a failed milter connection or session.</summary>
    private static async Task<bool> MetMilterDownAsync(string maillog, int skip, string milter, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (File.ReadAllLines(maillog).Skip(skip).Any(l => l.Contains($"connect to Milter service {milter}", StringComparison.Ordinal)
                || l.Contains($"milter {milter}: ", StringComparison.Ordinal)))
            {
                return true;
            }
            await Task.Delay(100, Ct);
        }
        return false;
    }
}
