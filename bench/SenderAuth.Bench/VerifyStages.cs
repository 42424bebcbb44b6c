using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Mail;

namespace SenderAuth.Bench;

/// <summary>
/// Where a receiver's time and memory go, stage by stage, in one process (a by-hand profile, not a bench/run row):
///   --stages --key PEM --message SIGNED [--seconds S]
/// Each stage is warmed up until the JIT settles (<see cref="TimedWindow"/>), then timed alone; prints JSON with
/// microseconds (wall and process CPU) and bytes allocated per call. The stages overlap (the full verification contains the others).
/// </summary>
public static class VerifyStages
{
    private const int Batch = 64;

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "2"));
        var message = File.ReadAllBytes(options["--message"]);
        using var key = DkimPrivateKey.FromPem(File.ReadAllText(options["--key"]));
        var verifier = DkimFixture.Verifier(key.PublicKey);
        await DkimFixture.CheckPassAsync(verifier, message).ConfigureAwait(false);
        var full = DkimFixture.MessageVerifier(key.PublicKey);
        var ip = IPAddress.Parse("192.0.2.25");
        var mailFrom = "bounce@" + DkimFixture.Domain;
        var helo = "mta." + DkimFixture.Domain;
        var first = await full.VerifyAsync(message, ip, mailFrom, helo).ConfigureAwait(false);
        var parsed = MailMessage.Parse(message);
        var field = parsed.All("DKIM-Signature").First();
        var sig = DkimSignature.Parse(field.Value, out _, out _)!;
        var signer = DkimFixture.Signer(key);
        using var fake = new FixedSignatureKey(key);
        var pipeline = DkimFixture.Signer(fake);
        var digest = SHA256.HashData(message);
        var stages = new (string Name, Action Call)[]
        {
            ("parse message", () => MailMessage.Parse(message)),
            ("DKIM-Signature value (unfold)", () => _ = field.Value),
            ("parse DKIM-Signature", () => DkimSignature.Parse(field.Value, out _, out _)),
            ("body hash", () =>
            {
                using var h = new DkimBodyHasher(sig.BodyCanonicalization, sig.Hash);
                h.Append(parsed.Body.Span);
                h.Complete();
            }),
            ("header hash", () => DkimHeaderHasher.Digest(parsed, sig.SignedHeaders, sig.HeaderCanonicalization, field.Raw.Span, sig.Hash)),
            ("RSA verify", () => key.PublicKey.VerifyDigest(SHA256.HashData(message.AsSpan(0, 64)), sig.Hash, sig.Signature)),
            ("DKIM verify (whole)", () => verifier.VerifyAsync(message).GetAwaiter().GetResult()),
            ("full verify", () => full.VerifyAsync(message, ip, mailFrom, helo).GetAwaiter().GetResult()),
            ("Authentication-Results", () => AuthenticationResultsHeader.Format("mx.bench.example",
                [Spf.SpfHeaders.AuthResults(first.Spf), .. first.Dkim.ToAuthResults(), first.Dmarc.ToAuthResults()])),
            ("sign (whole)", () => signer.Sign(message)),
            ("sign: RSA SignDigest alone", () => key.SignDigest(digest)),
            ("sign: all but RSA", () => pipeline.Sign(message)),
        };
        var results = new Dictionary<string, object>();
        foreach (var (name, call) in stages)
        {
            var (w, _) = TimedWindow.Measure(call, seconds, Batch);
            results[name] = new Dictionary<string, object>
            {
                ["us"] = Math.Round(w.Seconds * 1e6 / w.Calls, 2),
                ["cpu_us"] = Math.Round(w.CpuSeconds * 1e6 / w.Calls, 2),
                ["bytes"] = Math.Round(w.BytesPerCall),
            };
            await Console.Error.WriteLineAsync($"{name,-32} {w.Seconds * 1e6 / w.Calls,9:F2} us {w.CpuSeconds * 1e6 / w.Calls,9:F2} cpu-us {w.BytesPerCall,9:F0} B").ConfigureAwait(false);
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["what"] = "stages",
            ["message_bytes"] = message.Length,
            ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a",
            ["stages"] = results,
        }));
        Debug.Assert(first.Dmarc.Result == Dmarc.DmarcResult.Pass);
        return 0;
    }
}

/// <summary>
/// A key whose "signature" is a fixed array of the real key's size: signing with it times everything the signer does
/// except the private-key operation (the output does not verify, and nothing checks it).
/// </summary>
internal sealed class FixedSignatureKey(DkimPrivateKey real) : DkimPrivateKey
{
    private readonly byte[] _signature = real.SignDigest(new byte[32]);

    public override DkimKeyType KeyType => real.KeyType;

    public override int KeySize => real.KeySize;

    public override DkimPublicKey PublicKey => real.PublicKey;

    public override byte[] SignDigest(ReadOnlySpan<byte> sha256Digest) => (byte[])_signature.Clone();

    public override string ExportPem(bool pkcs1 = false) => throw new NotSupportedException("a timing stand-in");

    protected override void Dispose(bool disposing)
    {
    }
}
