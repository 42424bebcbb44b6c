using System.Diagnostics;
using System.Runtime;

namespace SenderAuth.Bench;

/// <summary>What one timed window measured: calls, wall and CPU seconds, bytes allocated and gen-0 collections.</summary>
public sealed record WindowResult(long Calls, double Seconds, double CpuSeconds, double UserCpuSeconds, long AllocatedBytes, int Gen0Collections)
{
    public double Rate => Calls / Seconds;

    /// <summary>Calls per CPU second of the whole process (every thread: GC, tiered JIT and the loop).</summary>
    public double CpuRate => Calls / CpuSeconds;

    /// <summary>Calls per second of user-mode CPU of the whole process: the basis <c>openssl speed</c> reports by default.</summary>
    public double UserCpuRate => Calls / UserCpuSeconds;

    public double BytesPerCall => (double)AllocatedBytes / Calls;
}

/// <summary>
/// The timing used by every loop of ours in bench/run: a warm-up that lasts until tiered compilation has settled,
/// then windows timed by the wall clock (the basis of <c>openssl speed -elapsed</c> and of the C peers).
/// </summary>
/// <remarks>
/// Why the warm-up waits for the JIT: a full verification runs through some 2,000 methods (async state machines,
/// generic collections, the canonicalizers), and each is compiled up to three times (tier 0, instrumented, tier 1).
/// Measured on this 2-core VM, a verify loop needed 3 to 6 s before no more methods were being compiled, and ran
/// 3-5x slower until then; a fixed 1 s warm-up left most of that inside the timed window. A C peer has nothing to
/// warm up. The warm-up ends once a 0.5 s window compiled at most <see cref="SettledMethods"/> methods (steady
/// state still compiles the odd rarely-called method), after at least 1 s and at most <see cref="MaxWarmUp"/>.
/// </remarks>
public static class TimedWindow
{
    private const double Slice = 0.5;
    private const int SettledMethods = 2;
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(30);

    /// <summary>Warms up, then times one window; <paramref name="batch"/> calls between clock reads.</summary>
    public static (WindowResult Result, double WarmUpSeconds) Measure(Action call, double seconds, int batch)
    {
        var warmUp = WarmUp(call, seconds, batch);
        return (Run(call, seconds, batch), warmUp);
    }

    /// <summary>
    /// Runs the call until the JIT is quiet; returns the seconds it took. A window shorter than 1 s (a smoke check,
    /// not a measurement) gets a fifth of its length instead.
    /// </summary>
    public static double WarmUp(Action call, double seconds, int batch)
    {
        var sw = Stopwatch.StartNew();
        if (seconds < 1)
        {
            Run(call, seconds / 5, batch);
            return sw.Elapsed.TotalSeconds;
        }
        while (true)
        {
            var before = JitInfo.GetCompiledMethodCount();
            Run(call, Slice, batch);
            var compiled = JitInfo.GetCompiledMethodCount() - before;
            if ((sw.Elapsed.TotalSeconds >= 1 && compiled <= SettledMethods) || sw.Elapsed >= MaxWarmUp)
            {
                return sw.Elapsed.TotalSeconds;
            }
        }
    }

    /// <summary>One window of at least <paramref name="seconds"/>, whole batches only.</summary>
    public static WindowResult Run(Action call, double seconds, int batch)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var user0 = process.UserProcessorTime;
        var bytes0 = GC.GetAllocatedBytesForCurrentThread();
        var gc0 = GC.CollectionCount(0);
        long calls = 0;
        var sw = Stopwatch.StartNew();
        do
        {
            for (var i = 0; i < batch; i++)
            {
                call();
            }
            calls += batch;
        }
        while (sw.Elapsed.TotalSeconds < seconds);
        var elapsed = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return new WindowResult(calls, elapsed, (process.TotalProcessorTime - cpu0).TotalSeconds,
            (process.UserProcessorTime - user0).TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - bytes0, GC.CollectionCount(0) - gc0);
    }
}
