using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SenderAuth.Bench.Harness;

/// <summary>
/// A program that runs beside a row (our server, OpenDKIM's milter) with its output in a log file; disposing it
/// asks it to stop (SIGTERM, as the bash harness's <c>kill</c> did, so the server shuts down as it does in
/// service) and kills it if it has not within 10 s.
/// </summary>
public sealed partial class BackgroundProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task pump;
    private bool disposed;

    private BackgroundProcess(Process process, Task pump, string log)
    {
        this.process = process;
        this.pump = pump;
        Log = log;
    }

    /// <summary>Where its standard output and error go.</summary>
    public string Log { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public static BackgroundProcess Start(string file, IEnumerable<string> args, string log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Tool.StartInfo(file, args, environment);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(log))!);
        // The log first: nothing may fail between starting the process and handing back what stops it.
        var sink = new StreamWriter(log) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new RowFailedException($"{file} did not start");
        // One writer, two pumps: lines stay whole; the log is read by the row only when something went wrong.
        var gate = new Lock();
        async Task Pump(StreamReader from)
        {
            while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (gate)
                {
                    sink.WriteLine(line);
                }
            }
        }
        var pump = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError))
            .ContinueWith(_ => sink.Dispose(), TaskScheduler.Default);
        return new BackgroundProcess(process, pump, log);
    }

    /// <summary>Peak resident set (VmHWM) or current (VmRSS) in kB, from /proc, while it runs.</summary>
    public long ProcStatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
            }
        }
        throw new InvalidOperationException($"no {field} in /proc/{process.Id}/status");
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        await pump.ConfigureAwait(false);
        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
