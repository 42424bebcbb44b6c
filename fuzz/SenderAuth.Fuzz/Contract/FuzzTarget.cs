namespace SenderAuth.Fuzz;

/// <summary>
/// One parser or protocol reader under hostile bytes, with its documented contract: the only error types it may
/// throw, and how much it may allocate and how long it may take for an input of a given size.
/// </summary>
/// <param name="Name">The target's name: <c>fuzz/run NAME</c>, <c>fuzz/corpus/NAME</c>, <c>fuzz/regressions/NAME</c>.</param>
/// <param name="Run">Feeds one input to the reader, as the product does (same entry point, same options).</param>
/// <param name="Allowed">The error types the reader documents for bad input (and their subclasses); empty when it
/// reports bad input as data (a null result and an error text) and throws nothing.</param>
/// <param name="Budget">The allocation and time bound, linear in the input's length.</param>
internal sealed record FuzzTarget(string Name, Action<byte[]> Run, Type[] Allowed, FuzzBudget Budget)
{
    /// <summary>True when <paramref name="error"/> is one the reader documents for bad input.</summary>
    public bool Allows(Exception error) => Allowed.Any(t => t.IsInstanceOfType(error));
}

/// <summary>
/// A linear bound: allocations at most <c>BytesPerByte · length + BaseBytes</c> on the calling thread, time at most
/// <c>TimePerKiB · length/1024 + BaseTime</c>. A quadratic reader breaks it for inputs of a few KiB; the constants leave
/// room for the JIT's first call and a shared CPU (the allocation bound is the exact one, the time bound the coarse one).
/// </summary>
internal sealed record FuzzBudget(long BytesPerByte, long BaseBytes, TimeSpan TimePerKiB, TimeSpan BaseTime)
{
    /// <summary>The bound of most text readers: 2 KiB per input byte plus 4 MiB, 2 ms per KiB plus 2 s.</summary>
    public static FuzzBudget Text { get; } = new(2048, 4L << 20, TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(2));

    public long MaxBytes(int length) => BytesPerByte * length + BaseBytes;

    public TimeSpan MaxTime(int length) => TimePerKiB * (length / 1024.0) + BaseTime;
}

/// <summary>A target broke its contract: an undocumented exception escaped, or a bound was exceeded.</summary>
internal sealed class FuzzContractException(string target, string kind, string message, Exception? inner = null)
    : Exception($"{target}: {kind}: {message}", inner)
{
    public string Target { get; } = target;

    /// <summary><c>undocumented-exception</c>, <c>allocation-bound</c> or <c>time-bound</c>.</summary>
    public string Kind { get; } = kind;
}
