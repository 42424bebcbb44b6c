using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Server.Signing;

namespace SenderAuth.Tests.Dkim;

/// <summary>
/// Byte for byte, the RSA + Ed25519 dual signature (RFC 8463) the server writes: the signer as SigningService builds
/// it (<see cref="SigningService.SignerFor"/>), RFC 8463's two keys at the server's selectors, the transactional
/// benchmark message at a fixed time. RSA PKCS#1 v1.5 and Ed25519 signatures are both deterministic, so the two
/// DKIM-Signature fields are fixed: any change to the order of the signatures, the tags, the folding or the
/// canonical bytes shows here. Recorded once and checked against our verifier (both pass); the milter's streaming
/// path must write the same two fields as the HTTP API's whole-message path.
/// </summary>
[Trait("Layer", "server")]
public class DualSignatureGoldenTests
{
    private const long SignedAt = 1_763_900_000;
    private const string Domain = "mosamuseum.com";

    private static readonly DkimPrivateKey Rsa = DkimPrivateKey.FromPem(RfcVectors.Rfc8463RsaPrivateKey);
    private static readonly DkimPrivateKey Ed = DkimPrivateKey.FromPem(RfcVectors.Rfc8463Ed25519PrivateKey);

    private static string Golden(string name) => Path.Combine("TestData", "dkim", "golden", name);

    private static DkimSigner ServerSigner() => SigningService.SignerFor(
        [new DkimSigningKey(Domain, "stxsel1", Rsa), new DkimSigningKey(Domain, "stxed1", Ed)],
        new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SignedAt)));

    /// <summary>The unsigned message: the RSA golden fixture without its DKIM-Signature field.</summary>
    private static byte[] Unsigned()
    {
        var rsaGolden = File.ReadAllBytes(Golden("transactional-2k-relaxed.eml"));
        return rsaGolden[DkimGoldenOutputTests.SignatureFieldLength(rsaGolden)..];
    }

    [Fact]
    public void Sign_RsaAndEd25519_IsByteIdenticalToTheRecordedOutput()
    {
        var signed = ServerSigner().Sign(Unsigned());

        AssertRecorded("dual-transactional-2k.eml", signed);
        var text = Encoding.ASCII.GetString(signed);
        Assert.Equal(2, CountOf(text, "DKIM-Signature: "));
        Assert.True(text.IndexOf("a=rsa-sha256", StringComparison.Ordinal) < text.IndexOf("a=ed25519-sha256", StringComparison.Ordinal), "RSA first, then Ed25519");
    }

    [Fact]
    public void SignStreaming_AsTheMilter_WritesTheSameTwoFields()
    {
        var golden = File.ReadAllBytes(Golden("dual-transactional-2k.eml"));
        var message = Unsigned();
        var parsed = MailMessage.Parse(message);
        using var streaming = ServerSigner().BeginStreaming();
        var body = parsed.Body.Span;
        // Postfix sends the body in chunks of at most 64 KiB; odd chunks prove nothing depends on where they break.
        for (var i = 0; i < body.Length; i += 333)
        {
            streaming.AppendBody(body.Slice(i, Math.Min(333, body.Length - i)));
        }

        var fields = streaming.Complete(MailMessage.Parse(message.AsMemory(0, parsed.BodyOffset)));

        Assert.Equal(Encoding.ASCII.GetString(golden, 0, golden.Length - message.Length), string.Concat(fields));
    }

    [Fact]
    public async Task Verify_DualSignature_BothPassAndTheAuthenticationResultsAreRecorded()
    {
        var signed = File.ReadAllBytes(Golden("dual-transactional-2k.eml"));
        var zone = new DnsZone();
        zone.Add(new TxtRecord($"stxsel1._domainkey.{Domain}", 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(Rsa.PublicKey))));
        zone.Add(new TxtRecord($"stxed1._domainkey.{Domain}", 300, DkimKeyRecord.TxtStrings(DkimKeyRecord.TxtValue(Ed.PublicKey))));
        zone.Add(new TxtRecord(Domain, 300, ["v=spf1 ip4:192.0.2.0/24 -all"]));
        zone.Add(new TxtRecord($"_dmarc.{Domain}", 300, ["v=DMARC1; p=reject"]));

        var dkim = await new DkimVerifier(new ZoneDnsResolver(zone)).VerifyAsync(signed, TestContext.Current.CancellationToken);
        var result = await new MessageVerifier(new ZoneDnsResolver(zone), new MessageVerifierOptions { AuthServId = "mx.golden.example" })
            .VerifyAsync(signed, IPAddress.Parse("192.0.2.25"), $"bounce@{Domain}", $"mta.{Domain}", TestContext.Current.CancellationToken);

        Assert.Equal(["pass rsa-sha256 stxsel1", "pass ed25519-sha256 stxed1"],
            dkim.Signatures.Select(s => $"{s.Result.Token()} {DkimSignature.AlgorithmToken(s.Algorithm!.Value)} {s.Selector}"));
        AssertRecorded("dual-transactional-2k-192.0.2.25.ar.txt", Encoding.UTF8.GetBytes(result.AuthenticationResults));
    }

    /// <summary>
    /// Byte for byte against the recording; on a difference (or no recording) this run's output is written beside
    /// the temporary files and named in the failure, to compare or, after review, to record.
    /// </summary>
    private static void AssertRecorded(string name, byte[] actual)
    {
        var path = Golden(name);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(actual))
        {
            return;
        }
        var written = Path.Combine(Path.GetTempPath(), name + ".actual");
        File.WriteAllBytes(written, actual);
        Assert.Fail($"{name} differs from its recording in TestData/dkim/golden (or has none); this run's output is {written}");
    }

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }
}
