using System.Diagnostics;

namespace SenderAuth.Fuzz;

/// <summary>
/// Runs one input through a target and checks its contract. Shared by the fuzzer (fuzz/SenderAuth.Fuzz, where a
/// violation is a crash for AFL++) and the replay test (tests/SenderAuth.Tests/Fuzz), so a crash found by fuzzing is
/// the same failure in the normal suite.
/// </summary>
internal static class FuzzContract
{
    /// <summary>Runs <paramref name="input"/>; throws <see cref="FuzzContractException"/> when the contract is broken.</summary>
    /// <remarks>A bound broken on the first run is measured once more: a reader's first call in a process also pays its
    /// one-time costs (JIT, static tables), and a shared machine may stall once; a linear bound broken twice is real.</remarks>
    public static void Check(FuzzTarget target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(input);
        if (Measure(target, input) is not null && Measure(target, input) is { } broken)
        {
            throw new FuzzContractException(target.Name, broken.Kind, broken.Message);
        }
    }

    /// <returns>The broken bound, or null when the run kept both.</returns>
    private static (string Kind, string Message)? Measure(FuzzTarget target, byte[] input)
    {
        // Allocation on this thread only: the readers are synchronous (streams over memory complete inline), and a
        // parallel test elsewhere in the process must not count against this input.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            target.Run(input);
        }
        catch (Exception e) when (target.Allows(e))
        {
            // The documented refusal of bad input.
        }
        catch (Exception e)
        {
            throw new FuzzContractException(target.Name, "undocumented-exception", $"{e.GetType().FullName}: {e.Message}", e);
        }
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var maxBytes = target.Budget.MaxBytes(input.Length);
        if (allocated > maxBytes)
        {
            return ("allocation-bound", $"{allocated:N0} bytes allocated for {input.Length:N0} input bytes; the bound is {maxBytes:N0}");
        }
        var maxTime = target.Budget.MaxTime(input.Length);
        if (clock.Elapsed > maxTime)
        {
            return ("time-bound", $"{clock.Elapsed.TotalMilliseconds:N0} ms for {input.Length:N0} input bytes; the bound is {maxTime.TotalMilliseconds:N0} ms");
        }
        return null;
    }
}
