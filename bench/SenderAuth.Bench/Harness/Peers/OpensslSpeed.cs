using System.Globalization;
using System.Text.RegularExpressions;

namespace SenderAuth.Bench.Harness.Peers;

/// <summary>
/// <c>openssl speed rsa2048</c>: the raw RSA-2048 private-key rate of the machine's OpenSSL, the physical limit our
/// signer is held to (a DKIM signature is one such operation plus hashing and canonicalization).
/// </summary>
public static partial class OpensslSpeed
{
    /// <summary>
    /// One single-process run of <paramref name="seconds"/> s: operations and the seconds openssl counted them in
    /// (wall clock with <paramref name="elapsed"/>, else user CPU time, openssl's default basis).
    /// </summary>
    public static async Task<(long Calls, double Seconds)> SignAsync(double seconds, bool elapsed, CancellationToken ct)
    {
        var args = new List<string> { "speed" };
        if (elapsed)
        {
            args.Add("-elapsed");
        }
        args.AddRange(["-seconds", S(seconds), "rsa2048"]);
        var output = await Tool.RunAsync("openssl", args, ct, captureStderr: true).ConfigureAwait(false);
        // "Doing 2048 bits private rsa's for 5s: 17222 2048 bits private RSA's in 5.00s"
        var m = Doing().Match(output.Stderr + output.Stdout);
        return m.Success
            ? (long.Parse(m.Groups[1].Value), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new RowFailedException("openssl speed printed no private RSA count:\n" + output.Stderr + output.Stdout);
    }

    /// <summary>Sign operations per second of <c>openssl speed -elapsed -multi N</c> (wall clock, N processes).</summary>
    public static async Task<double> MultiSignRateAsync(double seconds, int processes, CancellationToken ct)
    {
        var output = await Tool.RunAsync("openssl", ["speed", "-elapsed", "-seconds", S(seconds), "-multi", processes.ToString(CultureInfo.InvariantCulture), "rsa2048"],
            ct, captureStderr: true).ConfigureAwait(false);
        // The summary line: "rsa 2048 bits 0.000869s 0.000025s   1150.7  40000.0" (sign/s is the 6th field).
        var line = output.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("rsa 2048 bits", StringComparison.Ordinal))
            ?? throw new RowFailedException("openssl speed -multi printed no rsa 2048 line:\n" + output.Stdout);
        return Math.Floor(double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5], CultureInfo.InvariantCulture));
    }

    private static string S(double seconds) => Math.Max(1, (int)Math.Round(seconds)).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Doing 2048 bits private rsa's for [0-9]+s: ([0-9]+) .* in ([0-9.]+)s$", RegexOptions.Multiline)]
    private static partial Regex Doing();
}
