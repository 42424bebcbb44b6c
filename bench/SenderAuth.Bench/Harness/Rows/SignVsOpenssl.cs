using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SenderAuth.Bench.Harness.Peers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// Our RSA-2048 signer against <c>openssl speed rsa2048</c> (the 0.9x target), in <see cref="HarnessOptions.SignRounds"/>
/// interleaved rounds. One warm process of ours (JIT settled, started once; <c>--windows stdin</c>) and openssl take
/// turns on the CPU: openssl -elapsed (wall), our whole Sign, our RSA SignHash alone, openssl without -elapsed (its
/// default: user CPU time), 2 s each; every other round runs in the reverse order, so a drift in the machine's speed
/// over a round falls on both sides alike.
/// </summary>
/// <remarks>
/// Two bases, each the same for both sides: wall clock (openssl -elapsed vs our Stopwatch) and user CPU time (what
/// openssl reports by default, vs the user time of our whole process, GC and JIT threads included). Two estimators,
/// each the same for both sides: the best window of each side (what every other DKIM contender reports: a neighbour
/// on this shared host only ever slows a window down, so each side's fastest window is its speed on an undisturbed
/// core; the target rows), and each side's operations over its time summed across all rounds (informational).
/// </remarks>
public static class SignVsOpenssl
{
    private const double Window = 2;

    private sealed record W(string Case, long Calls, double Seconds, double CpuSeconds = 0, double UserCpuSeconds = 0, double BytesPerCall = 0);

    /// <summary>Reports the comparison lines; returns openssl's wall-clock rate over all rounds (the batch signer's peer).</summary>
    public static async Task<double> RunAsync(RowContext context, string key, string message, CancellationToken ct)
    {
        var rounds = context.Options.SignRounds;
        RowContext.Log($"==> dkim: openssl speed rsa2048 and our signer, {rounds} interleaved rounds of {Window}s windows");
        var info = Tool.StartInfo(context.Bench, ["--throughput", "dkim-sign", "--key", key, "--message", message,
            "--seconds", Window.ToString(CultureInfo.InvariantCulture), "--windows", "stdin"], null);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        using var ours = Process.Start(info) ?? throw new RowFailedException("the signer did not start");
        RowContext.Log($"    ours ready: {await ours.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false)}");
        var log = new List<W>();
        async Task Ours(string c)
        {
            await ours.StandardInput.WriteLineAsync($"{c} {Window.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            await ours.StandardInput.FlushAsync(ct).ConfigureAwait(false);
            var line = await ours.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false) ?? throw new RowFailedException("the signer stopped");
            var j = JsonDocument.Parse(line).RootElement;
            log.Add(new W(c, j.GetProperty("calls").GetInt64(), j.GetProperty("seconds").GetDouble(), j.GetProperty("cpu_seconds").GetDouble(),
                j.GetProperty("user_cpu_seconds").GetDouble(), j.GetProperty("bytes_per_call").GetDouble()));
        }
        async Task Theirs(bool elapsed)
        {
            var (n, t) = await OpensslSpeed.SignAsync(Window, elapsed, ct).ConfigureAwait(false);
            log.Add(new W(elapsed ? "openssl-wall" : "openssl-cpu", n, t));
        }
        for (var i = 0; i < rounds; i++)
        {
            if (i % 2 == 0)
            {
                await Theirs(true).ConfigureAwait(false);
                await Ours("sign").ConfigureAwait(false);
                await Ours("rsa").ConfigureAwait(false);
                await Theirs(false).ConfigureAwait(false);
            }
            else
            {
                await Theirs(false).ConfigureAwait(false);
                await Ours("rsa").ConfigureAwait(false);
                await Ours("sign").ConfigureAwait(false);
                await Theirs(true).ConfigureAwait(false);
            }
        }
        ours.StandardInput.Close();
        await ours.WaitForExitAsync(ct).ConfigureAwait(false);

        List<W> By(string c) => log.Where(w => w.Case == c).ToList();
        double Summed(string c, Func<W, double> time) => By(c).Sum(w => w.Calls) / By(c).Sum(time);
        double Best(string c, Func<W, double> time) => By(c).Max(w => w.Calls / time(w));
        var (walls, signs, rsas, cpus) = (By("openssl-wall"), By("sign"), By("rsa"), By("openssl-cpu"));
        for (var i = 0; i < rounds; i++)
        {
            var (ow, sg, rs, oc) = (walls[i], signs[i], rsas[i], cpus[i]);
            double o = ow.Calls / ow.Seconds, c = oc.Calls / oc.Seconds, s = sg.Calls / sg.Seconds;
            double u = sg.Calls / sg.UserCpuSeconds, t = sg.Calls / sg.CpuSeconds, r = rs.Calls / rs.Seconds, ru = rs.Calls / rs.UserCpuSeconds;
            RowContext.Log($"    round {i + 1}: openssl {o:0}/s wall, {c:0}/s user CPU; ours sign {s:0}/s wall ({s / o:0.00}x),"
                + $" {u:0}/s user CPU ({u / c:0.00}x), {t:0}/s user+sys CPU ({t / c:0.00}x), {sg.BytesPerCall:0} B/call;"
                + $" .NET RSA alone {r:0}/s wall ({r / o:0.00}x), {ru:0}/s user CPU ({ru / c:0.00}x)");
        }
        RowContext.Log($"    over the rounds: ours sign {Summed("sign", w => w.CpuSeconds):0}/s user+sys CPU"
            + $" ({Summed("sign", w => w.CpuSeconds) / Summed("openssl-cpu", w => w.Seconds):0.00}x openssl's user-CPU rate)");
        static double Wall(W w) => w.Seconds;
        static double User(W w) => w.UserCpuSeconds;
        context.Report(new($"dkim sign rsa-2048, 2 KB (vs openssl speed raw RSA sign; best window of {rounds} interleaved rounds each, user CPU time both)",
            Best("sign", User), Best("openssl-cpu", Wall), "0.9"));
        context.Report(new("dkim sign rsa-2048, 2 KB (vs openssl speed -elapsed raw RSA sign; best window each, wall clock)",
            Best("sign", Wall), Best("openssl-wall", Wall), "0.9"));
        context.Report(new($"dkim sign rsa-2048, 2 KB (vs openssl speed raw RSA sign; all {rounds} rounds summed, user CPU time both)",
            Summed("sign", User), Summed("openssl-cpu", Wall)));
        context.Report(new("dkim sign rsa-2048, 2 KB (vs openssl speed -elapsed raw RSA sign; all rounds summed, wall clock)",
            Summed("sign", Wall), Summed("openssl-wall", Wall)));
        context.Report(new("RSA-2048 SignHash alone, .NET (vs openssl speed; best window each, user CPU time both)",
            Best("rsa", User), Best("openssl-cpu", Wall)));
        return Summed("openssl-wall", Wall);
    }
}
