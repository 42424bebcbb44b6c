using System.Net;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Tests.Dkim;

/// <summary>
/// Byte-for-byte outputs of the signer and of the receiver's Authentication-Results, recorded from the engine as it was
/// before the allocation work on the hot paths (pooled buffers, shared header names, the plain-line path of relaxed
/// body canonicalization, one builder for Authentication-Results): the benchmark fixtures (bench/data, 2 KB and
/// 20 KB, CRLF and LF), relaxed and simple, signed with RFC 8463's RSA key at a fixed time, then verified from a
/// passing and a softfailing SPF address. RSA PKCS#1 v1.5 signatures are deterministic, so any change to the
/// canonical bytes, the field's folding or the header writer shows here.
/// </summary>
[Trait("Layer", "engine")]
public class DkimGoldenOutputTests
{
    private const long SignedAt = 1_763_900_000;

    private static readonly DkimPrivateKey Key = DkimPrivateKey.FromPem(RfcVectors.Rfc8463RsaPrivateKey);

    public static TheoryData<string> Signed() =>
    [
        .. from m in new[] { "transactional-2k", "marketing-20k" }
           from lf in new[] { "", "-lf" }
           from c in new[] { "relaxed", "simple" }
           select $"{m}{lf}-{c}",
    ];

    [Theory]
    [MemberData(nameof(Signed))]
    public void Sign_Fixture_IsByteIdenticalToTheRecordedOutput(string name)
    {
        var golden = File.ReadAllBytes(Path.Combine("TestData", "dkim", "golden", name + ".eml"));
        var c = name.EndsWith("-simple", StringComparison.Ordinal) ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed;
        var signer = new DkimSigner(new DkimSignerOptions
        {
            Keys = [new DkimSigningKey("mosamuseum.com", "golden", Key)],
            HeaderCanonicalization = c,
            BodyCanonicalization = c,
        }, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SignedAt)));

        var signed = signer.Sign(golden.AsMemory(SignatureFieldLength(golden)));

        Assert.Equal(golden, signed);
    }

    [Theory]
    [MemberData(nameof(Signed))]
    public async Task Verify_Fixture_WritesTheRecordedAuthenticationResults(string name)
    {
        var signed = File.ReadAllBytes(Path.Combine("TestData", "dkim", "golden", name + ".eml"));
        foreach (var ip in new[] { "192.0.2.25", "198.51.100.7" })
        {
            var expected = await File.ReadAllTextAsync(Path.Combine("TestData", "dkim", "golden", $"{name}-{ip}.ar.txt"), TestContext.Current.CancellationToken);

            var result = await Receiver().VerifyAsync(signed, IPAddress.Parse(ip), "bounce@mosamuseum.com", "mta.mosamuseum.com", TestContext.Current.CancellationToken);

            Assert.Equal(expected, result.AuthenticationResults);
        }
    }

    private static MessageVerifier Receiver()
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("golden._domainkey.mosamuseum.com", 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(Key.PublicKey))));
        zone.Add(new TxtRecord("mosamuseum.com", 300, ["v=spf1 include:spf.ticketing.example ~all"]));
        zone.Add(new TxtRecord("spf.ticketing.example", 300, ["v=spf1 ip4:203.0.113.0/24 ip4:192.0.2.0/24 ip6:2001:db8:25::/48 -all"]));
        zone.Add(new TxtRecord("_dmarc.mosamuseum.com", 300, ["v=DMARC1; p=reject; rua=mailto:dmarc@mosamuseum.com"]));
        return new MessageVerifier(new ZoneDnsResolver(zone), new MessageVerifierOptions { AuthServId = "mx.golden.example" });
    }

    /// <summary>The length of the leading DKIM-Signature field: up to the first line break not followed by folding whitespace.</summary>
    internal static int SignatureFieldLength(byte[] message)
    {
        for (var i = 0; i < message.Length - 1; i++)
        {
            if (message[i] == '\n' && message[i + 1] is not ((byte)' ' or (byte)'\t'))
            {
                return i + 1;
            }
        }
        throw new InvalidOperationException("no field end found");
    }
}
