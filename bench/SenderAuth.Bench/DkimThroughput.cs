using System.Text.Json;
using MimeKit;
using MimeKit.Cryptography;
using SenderAuth.Dkim;
using DkimVerifier = SenderAuth.Dkim.DkimVerifier;

namespace SenderAuth.Bench;

/// <summary>
/// DKIM throughput loops for bench/run, one thread, JSON out in the shape of <see cref="Throughput"/>:
///   --write-dkim-keys DIR
///   --throughput dkim-sign    --key PEM --message FILE [--seconds S] [--out SIGNED] [--windows stdin]
///   --throughput dkim-verify  --key PEM --message SIGNED [--seconds S]
///   --throughput mimekit-sign --key PEM --message FILE [--seconds S]
///   --throughput verify-full  --key PEM --message SIGNED [--seconds S]   (SPF + DKIM + DMARC, as a receiver)
/// Message and key are read once. Every loop checks its output verifies before it is timed, and is warmed up until
/// the JIT has settled (<see cref="TimedWindow"/>).
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
        var details = new Dictionary<string, (WindowResult W, double WarmUp)>();
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
                if (options.ContainsKey("--windows"))
                {
                    await WindowsAsync(signer, key, message, seconds).ConfigureAwait(false);
                    return 0;
                }
                rates = new() { ["sign"] = Measure("sign", () => signer.Sign(message), seconds, details) };
                break;
            case "dkim-verify":
                await DkimFixture.CheckPassAsync(verifier, message).ConfigureAwait(false);
                rates = new() { ["verify"] = Measure("verify", () => verifier.VerifyAsync(message).GetAwaiter().GetResult(), seconds, details) };
                break;
            case "verify-full":
                var full = DkimFixture.MessageVerifier(key.PublicKey);
                var ip = System.Net.IPAddress.Parse("192.0.2.25");
                var first = await full.VerifyAsync(message, ip, "bounce@" + DkimFixture.Domain, "mta." + DkimFixture.Domain).ConfigureAwait(false);
                if (first.Dmarc.Result != SenderAuth.Dmarc.DmarcResult.Pass || first.Spf.Result != SenderAuth.Spf.SpfResult.Pass)
                {
                    throw new InvalidOperationException($"full verification did not pass: {first.AuthenticationResults}");
                }
                rates = new() { ["verify"] = Measure("verify", () => full.VerifyAsync(message, ip, "bounce@" + DkimFixture.Domain, "mta." + DkimFixture.Domain).GetAwaiter().GetResult(), seconds, details) };
                break;
            case "mimekit-sign":
                rates = await MimeKitAsync(options["--key"], key.KeyType, message, verifier, seconds, details).ConfigureAwait(false);
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
            // Calls per CPU second of the whole process (GC and JIT threads included), the basis bench/run's CPU-time
            // rows compare with the C peers' own process CPU time.
            ["cpu_evals_per_s"] = details.ToDictionary(d => d.Key, d => Math.Round(d.Value.W.CpuRate, 1)),
            ["details"] = details.ToDictionary(d => d.Key, d => Details(d.Value.W, d.Value.WarmUp)),
        }));
        return 0;
    }

    /// <summary>
    /// "sign" times what our Sign does from bytes: MimeMessage.Load of the raw message plus DkimSigner.Sign
    /// (MimeKit is not asked to write the signed message out, which ours does). "sign-only" times Sign on one
    /// parsed message, removing the added field after each call.
    /// </summary>
    private static async Task<Dictionary<string, double>> MimeKitAsync(string keyFile, DkimKeyType type, byte[] message,
        DkimVerifier verifier, double seconds, Dictionary<string, (WindowResult W, double WarmUp)> details)
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
            ["sign"] = Measure("sign", () => signer.Sign(MimeMessage.Load(new MemoryStream(message)), headers), seconds, details),
            ["sign-only"] = Measure("sign-only", () =>
            {
                signer.Sign(parsed, headers);
                parsed.Headers.RemoveAt(0);
            }, seconds, details),
        };
    }

    /// <summary>Calls per second over the timed window, after <see cref="TimedWindow"/>'s warm-up; details go to <paramref name="details"/>.</summary>
    private static double Measure(string name, Action call, double seconds, Dictionary<string, (WindowResult W, double WarmUp)> details)
    {
        var (w, warmUp) = TimedWindow.Measure(call, seconds, Batch);
        details[name] = (w, warmUp);
        return w.Rate;
    }

    private static Dictionary<string, object> Details(WindowResult w, double warmUp) => new()
    {
        ["warmup_s"] = Math.Round(warmUp, 2),
        ["calls"] = w.Calls,
        ["seconds"] = Math.Round(w.Seconds, 4),
        ["cpu_seconds"] = Math.Round(w.CpuSeconds, 4),
        ["user_cpu_seconds"] = Math.Round(w.UserCpuSeconds, 4),
        ["bytes_per_call"] = Math.Round(w.BytesPerCall),
        ["gen0_per_1000_calls"] = Math.Round(w.Gen0Collections * 1000.0 / w.Calls, 2),
    };

    /// <summary>
    /// --windows: after the checks and the warm-up, prints {"ready":…}; then for each line read from stdin,
    /// "sign S" (the whole <c>DkimSigner.Sign</c>) or "rsa S" (the key's SignDigest
    /// alone, the RSA operation through System.Security.Cryptography), runs one window of S seconds and prints its
    /// JSON line. bench/run alternates these windows with <c>openssl speed</c> runs, so both sides meet the same
    /// moments of a shared CPU, and the process (warm, JIT settled) is never restarted between them.
    /// </summary>
    private static async Task WindowsAsync(SenderAuth.Dkim.DkimSigner signer, DkimPrivateKey key, byte[] message, double seconds)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(message);
        Action sign = () => signer.Sign(message);
        Action rsa = () => key.SignDigest(digest);
        var warmUp = TimedWindow.WarmUp(sign, seconds, Batch) + TimedWindow.WarmUp(rsa, 1, Batch);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["ready"] = true, ["warmup_s"] = Math.Round(warmUp, 2) }));
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[0] is not ("sign" or "rsa") || !double.TryParse(parts[1], out var s) || s <= 0)
            {
                throw new InvalidOperationException($"--windows: expected \"sign S\" or \"rsa S\", got \"{line}\"");
            }
            var w = TimedWindow.Run(parts[0] == "sign" ? sign : rsa, s, Batch);
            var json = Details(w, 0);
            json.Remove("warmup_s");
            json["case"] = parts[0];
            json["rate"] = Math.Round(w.Rate, 1);
            Console.WriteLine(JsonSerializer.Serialize(json));
        }
    }
}
