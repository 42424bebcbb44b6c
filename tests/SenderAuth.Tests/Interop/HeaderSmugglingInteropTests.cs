using System.Net;
using System.Text;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Spf;
using SenderAuth.Tests.Dkim;

namespace SenderAuth.Tests.Interop;

/// <summary>
/// The smuggling cases (<see cref="HeaderSmugglingCases"/>) through our receiver and mailauth's <c>authenticate</c>,
/// on a message signed by our signer (RSA through a CNAME selector, Ed25519) and sent from an IP in SPF. The bar:
/// we never pass DKIM where mailauth does not, and never pass DMARC at all on these; our own verdict is the table's.
/// mailauth's verdict is logged, not required to equal ours (it folds or splits such lines its own way: a fail where
/// we say permerror is agreement that nothing passes). Seen with mailauth 7.1.0: it passes DKIM and DMARC when the
/// hidden From is above the signed one (VT, NBSP or U+2028 before "From", VT before the colon) and passes DMARC
/// through SPF on a line without a colon; we pass none of them.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "peers")]
public class HeaderSmugglingInteropTests(ReceiverWorld world) : IClassFixture<ReceiverWorld>
{
    private const string FromLine = "From: Mosa <info@mosa.example>";
    private const string Ip = "192.0.2.25";
    private const string MailFrom = "bounce@mosa.example";
    private const string Helo = "mail.mosa.example";

    private static byte[] Message() => Encoding.ASCII.GetBytes(
        FromLine + "\r\nTo: member@receiver.test\r\nSubject: Annual meeting\r\nDate: Mon, 03 Mar 2025 10:00:00 +0100\r\n"
        + "Message-ID: <smuggle@mosa.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + "The annual meeting is on 20 March at 18:00.\r\n");

    [Theory]
    [MemberData(nameof(HeaderSmugglingCases.Names), MemberType = typeof(HeaderSmugglingCases))]
    public async Task Smuggled_OursNeverPassesWhereMailauthFails(string name)
    {
        var c = HeaderSmugglingCases.Get(name);
        var ct = TestContext.Current.CancellationToken;
        var records = world.Records(ReceiverWorld.DefaultDmarc);
        var message = c.Apply(world.Signer.Sign(Message()), FromLine);

        var verifier = new MessageVerifier(new ZoneDnsResolver(ReceiverWorld.Zone(records)), new MessageVerifierOptions { AuthServId = "mx.receiver.test" });
        var ours = await verifier.VerifyAsync(message, IPAddress.Parse(Ip), MailFrom, Helo, ct);
        Log($"ours:\n{ours.AuthenticationResults}");
        Assert.Equal("pass", ours.Spf.Result.Token());
        Assert.Equal(2, ours.Dkim.Signatures.Count);
        Assert.All(ours.Dkim.Signatures, s => Assert.True((s.Result.Token(), s.Reason.Code()) == (c.Dkim, c.DkimReason), $"ours: s={s.Selector} {s.Result.Token()} ({s.Reason.Code()}: {s.Detail})"));
        Assert.Equal((DmarcResult.PermError, c.DmarcReason), (ours.Dmarc.Result, ours.Dmarc.Reason.Code()));

        var peer = PeerTool.Get("mailauth");
        await peer.RequireCommandAsync("authenticate");
        var file = world.Write(message, c.Name + ".eml");
        var theirs = await peer.AuthenticateAsync(file, world.JsonFile(records, c.Name), Ip, Helo, MailFrom);
        Log($"mailauth: spf={theirs.Spf} dkim=[{string.Join(", ", (theirs.Dkim ?? []).Select(d => $"s={d.Selector} {d.Result} ({d.Reason})"))}] "
            + $"dmarc={theirs.Dmarc ?? "(not evaluated)"} skip={theirs.DmarcSkipReason}\n{theirs.Header}");

        foreach (var s in ours.Dkim.Signatures)
        {
            var t = (theirs.Dkim ?? []).FirstOrDefault(x => x.Selector == s.Selector);
            if (t is not null && t.Result != "pass")
            {
                Assert.NotEqual(DkimResult.Pass, s.Result);
            }
        }
        // Stronger than the bar: none of these passes our DMARC, whatever mailauth concludes.
        Assert.NotEqual(DmarcResult.Pass, ours.Dmarc.Result);
        if (theirs.Dmarc == "pass")
        {
            Log($"mailauth passes DMARC on {c.Name}; we do not ({ours.Dmarc.Reason.Code()})");
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
