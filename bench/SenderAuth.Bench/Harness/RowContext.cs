namespace SenderAuth.Bench.Harness;

/// <summary>
/// What every row shares: the options, the repository and the run's scratch folder, our programs (this bench in a
/// fresh process, the Release CLI), the table lines reported so far, and the cleanups that stop what rows started
/// (run newest first at the end of the run, also when a row fails).
/// </summary>
public sealed class RowContext(HarnessOptions options, string root, string work) : IAsyncDisposable
{
    private readonly List<TableLine> lines = [];
    private readonly Stack<Func<ValueTask>> cleanups = new();
    private readonly Lazy<Task<string>> cli = new(() => BuildCliAsync(root));

    public HarnessOptions Options { get; } = options;

    /// <summary>The repository root (every relative path of a row is from here).</summary>
    public string Root { get; } = root;

    /// <summary>This run's scratch folder (/tmp/sa-bench.*), removed at the end.</summary>
    public string Work { get; } = work;

    /// <summary>This program: our loops run in a fresh process each, as every peer does.</summary>
    public string Bench { get; } = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");

    public IReadOnlyList<TableLine> Lines => lines;

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>A new folder under the run's scratch folder.</summary>
    public string Folder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Work, name)).FullName;

    public void Report(TableLine line) => lines.Add(line);

    /// <summary>Progress and the figures behind a line, on standard error (the table alone goes to standard output).</summary>
    public static void Log(string text) => Console.Error.WriteLine(text);

    /// <summary>Registers how to stop something a row started.</summary>
    public void Defer(Func<ValueTask> cleanup) => cleanups.Push(cleanup);

    public void Defer(IAsyncDisposable started) => Defer(started.DisposeAsync);

    /// <summary>The Release CLI as shipped (<c>./senderauth</c> rebuilds it into .build/cli when stale; once per run).</summary>
    public Task<string> CliAsync() => cli.Value;

    /// <summary>
    /// What <c>./senderauth</c> runs for the engine commands (spf, dkim, dmarc, verify, check): the Native AOT engine
    /// CLI (.build/cli-engine), or the Release CLI where the launcher could not build it (no clang or zlib).
    /// </summary>
    public async Task<string> EngineCliAsync()
    {
        var full = await cli.Value.ConfigureAwait(false);
        var engine = System.IO.Path.Combine(Root, ".build/cli-engine/SenderAuth.Cli.Engine");
        if (File.Exists(engine))
        {
            return engine;
        }
        Log($"no {engine} (the launcher builds it where clang and zlib are installed): the engine commands run on {full}");
        return full;
    }

    private static async Task<string> BuildCliAsync(string root)
    {
        await Tool.RunAsync(System.IO.Path.Combine(root, "senderauth"), ["--version"], CancellationToken.None, check: false).ConfigureAwait(false);
        var path = System.IO.Path.Combine(root, ".build/cli/SenderAuth.Cli");
        return File.Exists(path) ? path : throw new RowFailedException($"{path} was not built");
    }

    public async ValueTask DisposeAsync()
    {
        while (cleanups.TryPop(out var cleanup))
        {
            try
            {
                await cleanup().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or RowFailedException or UnauthorizedAccessException)
            {
                Log($"cleanup: {e.Message}");
            }
        }
        Directory.Delete(Work, recursive: true);
    }
}
