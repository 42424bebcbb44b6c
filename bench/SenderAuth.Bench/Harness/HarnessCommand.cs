using SenderAuth.Bench.Harness.Rows;

namespace SenderAuth.Bench.Harness;

/// <summary>
/// <c>SenderAuth.Bench harness [bench/run options]</c>, what <c>bench/run</c> runs: each selected row in turn, then
/// one table (what | ours | peer | ratio | target met?) with every peer or physical limit measured in the same run,
/// then, with --bdn, the BenchmarkDotNet suite. Run from the repository root.
/// </summary>
public static class HarnessCommand
{
    /// <summary>Every row, in the order they run and print.</summary>
    public static IReadOnlyList<IRow> Rows { get; } =
    [
        new SpfRow(), new SpfBatchRow(), new DkimRow(), new ReportsRow(), new CheckRow(), new DnssecRow(), new ServerRow(),
        new MilterRow(), new MonitorRow(), new ReportImportRow(), new ReportQueryRow(),
        new LinearityRow(), new CacheMemoryRow(), new StartupRow(),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (HarnessOptions.Parse(args) is not { } options)
        {
            return 2;
        }
        var unknown = options.Only.Where(n => Rows.All(r => r.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"unknown row {string.Join(", ", unknown)}; rows:\n"
                + string.Join('\n', Rows.Select(r => $"  {r.Name,-18} {r.Description}"))).ConfigureAwait(false);
            return 2;
        }
        var selected = Rows.Where(r => options.Only.Count == 0 || options.Only.Contains(r.Name)).ToList();
        if (options.ListPackages)
        {
            foreach (var p in selected.SelectMany(r => r.Packages).Distinct().Order(StringComparer.Ordinal))
            {
                Console.WriteLine(p);
            }
            return 0;
        }
        var root = Directory.GetCurrentDirectory();
        if (!File.Exists(Path.Combine(root, "bench/run")))
        {
            await Console.Error.WriteLineAsync("run the harness from the repository root (bench/run does)").ConfigureAwait(false);
            return 2;
        }
        using var cancel = new CancellationTokenSource();
        // Ctrl-C stops the row; the cleanups still stop the servers it started.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var exit = 0;
        var context = new RowContext(options, root, Directory.CreateTempSubdirectory("sa-bench.").FullName);
        await using (context.ConfigureAwait(false))
        {
            foreach (var row in selected)
            {
                try
                {
                    await row.RunAsync(context, cancel.Token).ConfigureAwait(false);
                }
                catch (RowFailedException e)
                {
                    await Console.Error.WriteLineAsync($"{row.Name}: {e.Message}").ConfigureAwait(false);
                    exit = 1;
                    break;
                }
                // A bug in a row: the cleanups still stop what it started, and the lines so far are printed.
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await Console.Error.WriteLineAsync($"{row.Name}: {e}").ConfigureAwait(false);
                    exit = 1;
                    break;
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine(await MachineAsync().ConfigureAwait(false));
        Console.Write(ResultTable.Format(context.Lines));
        if (exit == 0 && options.Bdn)
        {
            RowContext.Log("==> BenchmarkDotNet (short job)");
            BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(HarnessCommand).Assembly).Run(
                ["--filter", "*Spf*", "*Dkim*", "*Ed25519*", "*ReportParse*", "--job", "short", "--artifacts", Path.Combine(root, "BenchmarkDotNet.Artifacts")]);
        }
        return exit;
    }

    private static async Task<string> MachineAsync()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var load = string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg").ConfigureAwait(false)).Split(' ').Take(3));
        return $"Machine: {Environment.ProcessorCount} cores, {model}, .NET {Environment.Version}, single thread, load average {load}";
    }
}
