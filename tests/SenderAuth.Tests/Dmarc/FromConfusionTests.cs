using System.Net;
using System.Text;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Dmarc;

/// <summary>
/// The From-confusion cases of Chen et al., "Composition Kills" (USENIX Security 2020), against the author-domain
/// policy (docs/dmarc.md): SPF passes for example.com (p=reject) in every case, so a wrong author domain would turn
/// into a DMARC pass for a message a client shows as from example.com. The author domain is the addr-spec's, never a
/// display name's, comment's, encoded word's or route's; anything with no or several authors is permerror.
/// </summary>
[Trait("Layer", "engine")]
public class FromConfusionTests
{
    private static readonly string Encoded = $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes("tickets@example.com"))}?=";

    private static DmarcEvaluator Evaluator()
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc.example.com", 300, ["v=DMARC1; p=reject"]));
        zone.Add(new TxtRecord("_dmarc.attacker.example", 300, ["v=DMARC1; p=none"]));
        return new DmarcEvaluator(new ZoneDnsResolver(zone));
    }

    private static readonly SpfOutcome SpfPass = new()
    {
        Result = SpfResult.Pass, Reason = SpfReason.MechanismMatched, Detail = "", Domain = "example.com",
        ClientIp = IPAddress.Parse("192.0.2.25"), Sender = "bounce@example.com",
    };

    public static TheoryData<string, string, string, string?> Cases() => new()
    {
        // header section (before "Subject"), dmarc result, reason code, author domains (comma-joined; null: none)
        { "From: Mosa <tickets@example.com>\r\n", "pass", "aligned", "example.com" },
        { "from: tickets@example.com\r\n", "pass", "aligned", "example.com" },
        { "FROM : tickets@example.com\r\n", "pass", "aligned", "example.com" },
        { "From: Mosa\r\n <tickets@example.com>\r\n", "pass", "aligned", "example.com" },
        // empty and null From
        { "To: visitor@example.net\r\n", "permerror", "no-author-domain", null },
        { "From:\r\n", "permerror", "no-author-domain", null },
        { "From: <>\r\n", "permerror", "no-author-domain", null },
        { "From: undisclosed-recipients:;\r\n", "permerror", "no-author-domain", null },
        // several From fields, whatever their spelling or domains
        { "From: tickets@example.com\r\nFrom: evil@attacker.example\r\n", "permerror", "multiple-from-fields", "attacker.example,example.com" },
        { "From: evil@attacker.example\r\nFROM : tickets@example.com\r\n", "permerror", "multiple-from-fields", "attacker.example,example.com" },
        { "From: tickets@example.com\r\nfrom: info@example.com\r\n", "permerror", "multiple-from-fields", "example.com" },
        // several addresses in one From
        { "From: tickets@example.com, evil@attacker.example\r\n", "permerror", "multiple-author-domains", "attacker.example,example.com" },
        { "From: Mosa <tickets@example.com>, <evil@attacker.example>\r\n", "permerror", "multiple-author-domains", "attacker.example,example.com" },
        { "From: Team: tickets@example.com, evil@attacker.example;\r\n", "permerror", "multiple-author-domains", "attacker.example,example.com" },
        { "From: tickets@example.com, info@example.com\r\n", "permerror", "multiple-author-addresses", "example.com" },
        // two addresses without a comma (one folded under the other): which one is "the" address is the reader's guess
        { "From: tickets@example.com evil@attacker.example\r\n", "permerror", "no-author-domain", null },
        { "From: tickets@example.com\r\n evil@attacker.example\r\n", "permerror", "no-author-domain", null },
        // an address in the display name, a comment, an encoded word or a route is not the author: attacker.example is
        { $"From: {Encoded} <evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: \"tickets@example.com\" <evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: \"tickets@example.com\\\" <x@example.com>\" <evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: tickets@example.com <evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: evil@attacker.example (tickets@example.com)\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: (tickets@example.com) evil@attacker.example\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: (nested (tickets@example.com)) <evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: <@example.com:evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        { "From: <@example.com,@mx.example.com:evil@attacker.example>\r\n", "fail", "not-aligned", "attacker.example" },
        // an ambiguous line touching From (the one rule)
        // (the author domains of a refused message are every reading's, so the strictest policy among them applies)
        { "From: tickets@example.com\r\n\v, evil@attacker.example\r\n", "permerror", "ambiguous-from", "attacker.example,example.com" },
        { "\u00a0From: evil@attacker.example\r\nFrom: tickets@example.com\r\n", "permerror", "ambiguous-from", "attacker.example,example.com" },
        { "From\v: evil@attacker.example\r\nFrom: tickets@example.com\r\n", "permerror", "ambiguous-from", "attacker.example,example.com" },
        { "From: tickets@example.com\rFrom: evil@attacker.example\r\n", "permerror", "ambiguous-from", "attacker.example,example.com" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Evaluate_FromConfusion_AuthorIsTheAddrSpecAndAmbiguityNeverPasses(string headers, string result, string reason, string? authors)
    {
        var message = MailMessage.Parse(Encoding.Latin1.GetBytes(headers + "Subject: s\r\n\r\nbody\r\n"));
        var o = await Evaluator().EvaluateAsync(message, SpfPass, null, TestContext.Current.CancellationToken);
        Assert.Equal((result, reason), (o.Result.Token(), o.Reason.Code()));
        Assert.Equal(authors, o.AuthorDomains.Count == 0 ? null : string.Join(',', o.AuthorDomains));
        if (o.Result == DmarcResult.PermError && o.AuthorDomains.Contains("example.com"))
        {
            // Refused, but example.com's p=reject is what the receiver is told to apply.
            Assert.Equal(DmarcPolicy.Reject, o.AppliedPolicy);
            Assert.StartsWith(reason + ":", o.Detail, StringComparison.Ordinal);
        }
    }
}
