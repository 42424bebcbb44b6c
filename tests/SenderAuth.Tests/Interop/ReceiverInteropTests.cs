using System.Net;
using System.Text;
using System.Text.Json;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Interop;

/// <summary>
/// The test zone of the end-to-end receiver tests, built once: an institution domain (mosa.example) with SPF for
/// 192.0.2.0/24, a DMARC p=reject record (replaced per case where a case needs another), an Ed25519 key at
/// ed1._domainkey.mosa.example and an RSA-2048 key behind a CNAME-delegated selector
/// (stxsel1._domainkey.mosa.example → sel1-mosa._domainkey.dkim.esp.example, as the product publishes), and an
/// ESP domain with its own SPF. The same records go into an in-memory <see cref="DnsZone"/> for our verifier and
/// into a JSON file for mailauth.
/// </summary>
[Trait("Layer", "interop")]
public sealed class ReceiverWorld : IDisposable
{
    public const string Org = "mosa.example";
    public const string DefaultDmarc = "v=DMARC1; p=reject";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sa-receiver-");
    private int _files;

    public ReceiverWorld()
    {
        Signer = new DkimSigner(new DkimSignerOptions
        {
            Keys = [new DkimSigningKey(Org, "stxsel1", Rsa), new DkimSigningKey(Org, "ed1", Ed25519)],
        });
    }

    public DkimPrivateKey Rsa { get; } = DkimPrivateKey.Generate(DkimKeyType.Rsa, 2048);

    public DkimPrivateKey Ed25519 { get; } = DkimPrivateKey.Generate(DkimKeyType.Ed25519);

    /// <summary>Dual signing (RSA through the CNAME selector, then Ed25519), d=mosa.example, relaxed/relaxed.</summary>
    public DkimSigner Signer { get; }

    /// <summary>name → type → values; CNAME values are one target, MX values "pref host".</summary>
    public Dictionary<string, Dictionary<string, List<string>>> Records(string dmarc)
    {
        var r = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        void Add(string name, string type, string value)
        {
            if (!r.TryGetValue(name, out var byType))
            {
                r[name] = byType = new(StringComparer.Ordinal);
            }
            if (!byType.TryGetValue(type, out var list))
            {
                byType[type] = list = [];
            }
            list.Add(value);
        }
        Add(Org, "TXT", "v=spf1 ip4:192.0.2.0/24 -all");
        Add(Org, "A", "192.0.2.10");
        Add(Org, "MX", "10 mx.mosa.example");
        Add("mx.mosa.example", "A", "192.0.2.11");
        Add("news." + Org, "A", "192.0.2.12");
        Add("_dmarc." + Org, "TXT", dmarc);
        Add("ed1._domainkey." + Org, "TXT", DkimKeyRecord.TxtValue(Ed25519.PublicKey));
        Add("stxsel1._domainkey." + Org, "CNAME", "sel1-mosa._domainkey.dkim.esp.example");
        Add("sel1-mosa._domainkey.dkim.esp.example", "TXT", DkimKeyRecord.TxtValue(Rsa.PublicKey));
        Add("esp.example", "TXT", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all");
        Add("esp.example", "A", "198.51.100.1");
        Add("_dmarc.esp.example", "TXT", "v=DMARC1; p=none");
        Add("other.example", "A", "198.51.100.2");
        Add("_dmarc.other.example", "TXT", "v=DMARC1; p=quarantine");
        return r;
    }

    public static DnsZone Zone(Dictionary<string, Dictionary<string, List<string>>> records)
    {
        var zone = new DnsZone();
        foreach (var (name, byType) in records)
        {
            foreach (var (type, values) in byType)
            {
                foreach (var v in values)
                {
                    zone.Add(type switch
                    {
                        "TXT" => new TxtRecord(name, 300, DkimKeyRecord.TxtStrings(v)),
                        "A" or "AAAA" => new AddressRecord(name, 300, IPAddress.Parse(v)),
                        "MX" => new MxRecord(name, 300, ushort.Parse(v.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), v.Split(' ')[1]),
                        "CNAME" => new CnameRecord(name, 300, v),
                        _ => throw new ArgumentException($"type {type}"),
                    });
                }
            }
        }
        return zone;
    }

    /// <summary>The same records as mailauth_tool.mjs reads them: TXT split in 255-byte strings as DNS carries them.</summary>
    public string JsonFile(Dictionary<string, Dictionary<string, List<string>>> records, string hint)
    {
        var json = records.ToDictionary(n => n.Key, n => n.Value.ToDictionary(t => t.Key, t => t.Key switch
        {
            "TXT" => (object)t.Value.Select(DkimKeyRecord.TxtStrings).ToList(),
            "CNAME" => t.Value[0],
            "MX" => t.Value.Select(v => new { priority = int.Parse(v.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), exchange = v.Split(' ')[1] }).ToList(),
            _ => t.Value,
        }));
        return Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json)), hint + ".json");
    }

    public string Write(byte[] bytes, string hint)
    {
        var path = Path.Combine(_dir.FullName, $"{Interlocked.Increment(ref _files):D3}-{hint}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        Rsa.Dispose();
        Ed25519.Dispose();
        _dir.Delete(recursive: true);
    }
}

/// <summary>
/// One end-to-end case: the message's From, the envelope, the DMARC record in force, what is changed after
/// signing, and what both receivers must conclude. <paramref name="Dkim"/> is our token for both signatures;
/// <paramref name="Policy"/> is the policy to apply on failure (after sp/np/t=y), or null when DMARC passes.
/// </summary>
public sealed record ReceiverCase(
    string Name, string From, string MailFrom, string Ip, string Alter, string Spf, string Dkim, string Dmarc,
    string? Policy = null, string DmarcRecord = ReceiverWorld.DefaultDmarc, bool OursOnly = false, string Why = "")
{
    public override string ToString() => Name;
}

/// <summary>
/// End-to-end receiver interop: a message signed by our <see cref="DkimSigner"/> with keys published in a test
/// zone, sent from an IP the institution's SPF lists, is checked by our <see cref="MessageVerifier"/> and by
/// mailauth's <c>authenticate</c> (SPF, DKIM, DMARC), and both must give the same spf/dkim/dmarc tokens, for the
/// original and for altered copies. mailauth reports a body-hash mismatch as dkim=neutral (as Gmail does) where we
/// say fail (RFC 6376 §6.1.3): that is the one mapping allowed. Without mailauth (./run-tests installs it) only
/// our side is asserted and the test is then skipped with the reason.
/// </summary>
[Trait("Layer", "interop")]
[Trait("Needs", "peers")]
public class ReceiverInteropTests(ReceiverWorld world) : IClassFixture<ReceiverWorld>
{
    private const string InSpf = "192.0.2.25";
    private const string OutsideSpf = "203.0.113.7";
    private const string Bounce = "bounce@mosa.example";

    public static readonly ReceiverCase[] Cases =
    [
        new("original", "Mosa <info@mosa.example>", Bounce, InSpf, "none", "pass", "pass", "pass"),
        new("body-altered", "Mosa <info@mosa.example>", Bounce, InSpf, "body", "pass", "fail", "pass"),
        new("subject-altered", "Mosa <info@mosa.example>", Bounce, InSpf, "subject", "pass", "fail", "pass"),
        new("ip-outside-spf+body-altered", "Mosa <info@mosa.example>", Bounce, OutsideSpf, "body", "fail", "fail", "fail", "reject"),
        new("mailfrom-other-domain+dkim-intact", "Mosa <info@mosa.example>", "bounce@esp.example", InSpf, "none", "pass", "pass", "pass"),
        new("from-subdomain-relaxed", "Mosa News <letter@news.mosa.example>", "bounce@esp.example", InSpf, "none", "pass", "pass", "pass"),
        new("from-subdomain-adkim=s", "Mosa News <letter@news.mosa.example>", "bounce@esp.example", InSpf, "none", "pass", "pass", "fail", "reject",
            "v=DMARC1; p=reject; adkim=s"),
        // Our signer refuses a From with two addresses, so the From is rewritten after signing (DKIM then fails too).
        new("from-two-domains", "Mosa <info@mosa.example>", Bounce, InSpf, "from:info@mosa.example, someone@other.example", "pass", "fail", "permerror", "reject",
            OursOnly: true, Why: "mailauth does not evaluate DMARC for several author domains (dmarc=false, dmarcSkipReason); RFC 9989 §5.3.1 leaves the verdict to the receiver"),
        new("t=y+ip-outside-spf+body-altered", "Mosa <info@mosa.example>", Bounce, OutsideSpf, "body", "fail", "fail", "fail", "quarantine",
            "v=DMARC1; p=reject; t=y"),
        new("np-nonexistent-subdomain", "Ghost <x@ghost.mosa.example>", Bounce, OutsideSpf, "body", "fail", "fail", "fail", "reject",
            "v=DMARC1; p=reject; sp=none; np=reject"),
        new("sp-existing-subdomain", "Mosa News <letter@news.mosa.example>", Bounce, OutsideSpf, "body", "fail", "fail", "fail", "none",
            "v=DMARC1; p=reject; sp=none; np=reject"),
    ];

    public static IEnumerable<TheoryDataRow<string>> CaseNames() => Cases.Select(c => new TheoryDataRow<string>(c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task OursAndMailauthAgree(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var ct = TestContext.Current.CancellationToken;
        var records = world.Records(c.DmarcRecord);
        var message = Alter(c.Alter, world.Signer.Sign(Message(c.From)));
        var helo = c.MailFrom.Split('@')[1] == "esp.example" ? "out.esp.example" : "mail.mosa.example";

        // Ours.
        var verifier = new MessageVerifier(new ZoneDnsResolver(ReceiverWorld.Zone(records)), new MessageVerifierOptions { AuthServId = "mx.receiver.test" });
        var ours = await verifier.VerifyAsync(message, IPAddress.Parse(c.Ip), c.MailFrom, helo, ct);
        Log($"ours:\n{ours.AuthenticationResults}");
        Assert.Equal(c.Spf, ours.Spf.Result.Token());
        Assert.Equal(2, ours.Dkim.Signatures.Count);
        Assert.All(ours.Dkim.Signatures, s => Assert.True(s.Result.Token() == c.Dkim, $"ours: s={s.Selector} {s.Result.Token()} ({s.Reason.Code()}: {s.Detail}), want {c.Dkim}"));
        Assert.True(c.Dmarc == ours.Dmarc.Result.Token(), $"ours: dmarc={ours.Dmarc.Result.Token()} ({ours.Dmarc.Detail}), want {c.Dmarc}");
        if (c.Policy is not null)
        {
            Assert.Equal(c.Policy, ours.Dmarc.AppliedPolicy.Token());
        }
        // The header says it the same way as the outcome.
        Assert.Contains($"dmarc={c.Dmarc} ", ours.AuthenticationResults, StringComparison.Ordinal);
        Assert.Contains($"spf={c.Spf} ", ours.AuthenticationResults, StringComparison.Ordinal);

        // mailauth.
        var peer = PeerTool.Get("mailauth");
        await peer.RequireCommandAsync("authenticate");
        var file = world.Write(message, c.Name.Replace('+', '_') + ".eml");
        var theirs = await peer.AuthenticateAsync(file, world.JsonFile(records, c.Name.Replace('+', '_')), c.Ip, helo, c.MailFrom);
        Log($"mailauth: spf={theirs.Spf} dkim=[{string.Join(", ", (theirs.Dkim ?? []).Select(d => $"s={d.Selector} {d.Result} ({d.Reason})"))}] "
            + $"dmarc={theirs.Dmarc ?? "(not evaluated)"} policy={theirs.DmarcPolicy} policy.dmarc={theirs.DmarcPolicyProperty} skip={theirs.DmarcSkipReason}\n{theirs.Header}");

        Assert.Equal(ours.Spf.Result.Token(), theirs.Spf);
        Assert.Equal(ours.Spf.Domain, theirs.SpfDomain);
        var theirSigs = theirs.Dkim ?? [];
        Assert.Equal(ours.Dkim.Signatures.Count, theirSigs.Length);
        foreach (var s in ours.Dkim.Signatures)
        {
            var t = Assert.Single(theirSigs, x => x.Selector == s.Selector);
            Assert.Equal(s.Domain, t.Domain);
            // The one documented difference: a body-hash mismatch is our fail and mailauth's neutral.
            var expected = s.Reason == DkimReason.BodyHashMismatch ? "neutral" : s.Result.Token();
            Assert.True(expected == t.Result, $"s={s.Selector}: ours {s.Result.Token()} ({s.Reason.Code()}), mailauth {t.Result} ({t.Reason})");
        }
        if (c.OursOnly)
        {
            Log($"ours only for dmarc: {c.Why}; mailauth said dmarc={theirs.Dmarc ?? "(not evaluated)"} reason={theirs.DmarcSkipReason}");
            return;
        }
        Assert.Equal(ours.Dmarc.Result.Token(), theirs.Dmarc);
        // The policy after sp/np/t=y: what a failing message gets, and what policy.dmarc says.
        if (c.Policy is not null)
        {
            Assert.Equal(ours.Dmarc.AppliedPolicy.Token(), theirs.DmarcPolicy);
        }
        Assert.Contains($"policy.dmarc={theirs.DmarcPolicyProperty}", ours.AuthenticationResults, StringComparison.Ordinal);
    }

    private static byte[] Message(string from) => Encoding.ASCII.GetBytes(
        $"From: {from}\r\n"
        + "To: member@receiver.test\r\n"
        + "Subject: Annual meeting of the Mosa association\r\n"
        + "Date: Mon, 03 Mar 2025 10:00:00 +0100\r\n"
        + "Message-ID: <e2e-1@mosa.example>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "Dear member,\r\n"
        + "\r\n"
        + "the annual meeting is on 20 March at 18:00.\r\n"
        + "\r\n"
        + "The board\r\n");

    /// <summary>A change after signing: "body" rewrites one word of the body, "subject" the Subject text, "from:X" the From field.</summary>
    private static byte[] Alter(string how, byte[] signed)
    {
        var text = Encoding.ASCII.GetString(signed);
        var result = how switch
        {
            _ when how.StartsWith("from:", StringComparison.Ordinal) => text.Replace("From: Mosa <info@mosa.example>\r\n", $"From: {how[5..]}\r\n", StringComparison.Ordinal),
            "none" => text,
            "body" => text.Replace("18:00", "19:00", StringComparison.Ordinal),
            "subject" => text.Replace("Subject: Annual meeting", "Subject: Urgent meeting", StringComparison.Ordinal),
            _ => throw new ArgumentException(how, nameof(how)),
        };
        Assert.True(how == "none" || result != text, $"the {how} change did not apply");
        return Encoding.ASCII.GetBytes(result);
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
