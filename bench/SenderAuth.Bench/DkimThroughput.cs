using System.Diagnostics;
using System.Text.Json;
using MimeKit;
using MimeKit.Cryptography;
using SenderAuth.Dkim;
using DkimVerifier = SenderAuth.Dkim.DkimVerifier;

namespace SenderAuth.Bench;

/// <summary>
/// DKIM throughput loops for bench/run, one thread, JSON out in the shape of <see cref="Throughput"/>:
///   --write-dkim-keys DIR
///   --throughput dkim-sign    --key PEM --message FILE [--seconds S] [--out SIGNED]
///   --throughput dkim-verify  --key PEM --message SIGNED [--seconds S]
///   --throughput mimekit-sign --key PEM --message FILE [--seconds S]
///   --throughput verify-full  --key PEM --message SIGNED [--seconds S]   (SPF + DKIM + DMARC, as a receiver)
/// Message and key are read once. Every loop checks its output verifies before it is timed.
/// </summary>
public static class DkimThroughput
{
    // A signature takes hundreds of microseconds: a small batch keeps clock reads negligible.
    private const int Batch = 16;

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        if (options.TryGetValue("--write-dkim-keys", out var folder))
        {
            DkimFixture.WriteKeys(folder);
            return 0;
        }
        var mode = options["--throughput"];
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "5"));
        var pem = File.ReadAllText(options["--key"]);
        var message = File.ReadAllBytes(options["--message"]);
        using var key = DkimPrivateKey.FromPem(pem);
        var verifier = DkimFixture.Verifier(key.PublicKey);
        Dictionary<string, double> rates;
        switch (mode)
        {
            case "dkim-sign":
                var signer = DkimFixture.Signer(key);
                var signed = signer.Sign(message);
                await DkimFixture.CheckPassAsync(verifier, signed).ConfigureAwait(false);
                if (options.TryGetValue("--out", out var output))
                {
                    await File.WriteAllBytesAsync(output, signed).ConfigureAwait(false);
                }
                rates = new() { ["sign"] = Measure(() => signer.Sign(message), seconds) };
                break;
            case "dkim-verify":
                await DkimFixture.CheckPassAsync(verifier, message).ConfigureAwait(false);
                rates = new() { ["verify"] = Measure(() => verifier.VerifyAsync(message).GetAwaiter().GetResult(), seconds) };
                break;
            case "verify-full":
                var full = DkimFixture.MessageVerifier(key.PublicKey);
                var ip = System.Net.IPAddress.Parse("192.0.2.25");
                var first = await full.VerifyAsync(message, ip, "bounce@" + DkimFixture.Domain, "mta." + DkimFixture.Domain).ConfigureAwait(false);
                if (first.Dmarc.Result != SenderAuth.Dmarc.DmarcResult.Pass || first.Spf.Result != SenderAuth.Spf.SpfResult.Pass)
                {
                    throw new InvalidOperationException($"full verification did not pass: {first.AuthenticationResults}");
                }
                rates = new() { ["verify"] = Measure(() => full.VerifyAsync(message, ip, "bounce@" + DkimFixture.Domain, "mta." + DkimFixture.Domain).GetAwaiter().GetResult(), seconds) };
                break;
            case "mimekit-sign":
                rates = await MimeKitAsync(options["--key"], key.KeyType, message, verifier, seconds).ConfigureAwait(false);
                break;
            default:
                await Console.Error.WriteLineAsync($"unknown mode {mode}").ConfigureAwait(false);
                return 2;
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["what"] = mode,
            ["runtime"] = Environment.Version.ToString(),
            ["seconds_per_case"] = seconds,
            ["evals_per_s"] = rates,
        }));
        return 0;
    }

    /// <summary>
    /// "sign" times what our Sign does from bytes: MimeMessage.Load of the raw message plus DkimSigner.Sign
    /// (MimeKit is not asked to write the signed message out, which ours does). "sign-only" times Sign on one
    /// parsed message, removing the added field after each call.
    /// </summary>
    private static async Task<Dictionary<string, double>> MimeKitAsync(string keyFile, DkimKeyType type, byte[] message,
        DkimVerifier verifier, double seconds)
    {
        var signer = new MimeKit.Cryptography.DkimSigner(keyFile, DkimFixture.Domain, DkimFixture.Selector(type),
            type == DkimKeyType.Rsa ? DkimSignatureAlgorithm.RsaSha256 : DkimSignatureAlgorithm.Ed25519Sha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        var headers = SenderAuth.Dkim.DkimSignerOptions.DefaultHeaders.ToList();
        var dos = FormatOptions.Default.Clone();
        dos.NewLineFormat = NewLineFormat.Dos;

        var parsed = MimeMessage.Load(new MemoryStream(message));
        signer.Sign(parsed, headers);
        using (var written = new MemoryStream())
        {
            parsed.WriteTo(dos, written);
            await DkimFixture.CheckPassAsync(verifier, written.ToArray()).ConfigureAwait(false);
        }
        parsed.Headers.RemoveAt(0);
        return new()
        {
            ["sign"] = Measure(() => signer.Sign(MimeMessage.Load(new MemoryStream(message)), headers), seconds),
            ["sign-only"] = Measure(() =>
            {
                signer.Sign(parsed, headers);
                parsed.Headers.RemoveAt(0);
            }, seconds),
        };
    }

    /// <summary>Calls per second over the timed window, after a warm-up that lets tiered JIT and PGO settle.</summary>
    private static double Measure(Action call, double seconds)
    {
        double rate = 0;
        foreach (var window in new[] { Math.Min(1.0, seconds / 5), seconds })
        {
            long calls = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < window)
            {
                for (var i = 0; i < Batch; i++)
                {
                    call();
                }
                calls += Batch;
            }
            rate = calls / sw.Elapsed.TotalSeconds;
        }
        return rate;
    }
}
