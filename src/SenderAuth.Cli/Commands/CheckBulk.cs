using SenderAuth.Check;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>check --domains FILE</c>: many domains with bounded concurrency, JSON lines out, a progress bar on a terminal.</summary>
internal static class CheckBulk
{
    public static async Task<int> RunAsync(DomainChecker checker, ProviderProfile profile, FileInfo file, string? defaultCode, int concurrency, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw new UsageException($"domain list not found: {file.FullName}");
        }
        if (concurrency is < 1 or > 1024)
        {
            throw new UsageException("--concurrency must be 1 to 1024");
        }
        var items = (await File.ReadAllLinesAsync(file.FullName, ct).ConfigureAwait(false))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split((char[])[' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
            .Select(p => (Domain: p[0], Code: p.Length > 1 ? p[1] : defaultCode)).ToList();
        var results = new string[items.Count];
        var errors = 0;
        var dns = 0;
        using var gate = new SemaphoreSlim(concurrency);
        async Task One(int i, Action advance)
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var (domain, code) = items[i];
                try
                {
                    var report = await checker.CheckAsync(domain, profile, CheckCommand.CodeFor(profile, code), ct).ConfigureAwait(false);
                    Interlocked.Add(ref errors, report.HasErrors ? 1 : 0);
                    Interlocked.Add(ref dns, report.DnsIncomplete ? 1 : 0);
                    results[i] = CliJson.Line(CheckCommand.View(report));
                }
                catch (Exception e) when (e is ArgumentException or UsageException)
                {
                    Interlocked.Increment(ref errors);
                    results[i] = CliJson.Line(new CheckErrorView(domain, e.Message));
                }
            }
            finally
            {
                gate.Release();
                advance();
            }
        }
        if (Console.IsErrorRedirected)
        {
            await Task.WhenAll(Enumerable.Range(0, items.Count).Select(i => One(i, () => { }))).ConfigureAwait(false);
        }
        else
        {
            await AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress()
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"checking {items.Count} domains", maxValue: items.Count);
                    await Task.WhenAll(Enumerable.Range(0, items.Count).Select(i => One(i, () => task.Increment(1)))).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        foreach (var line in results)
        {
            await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
        await Console.Error.WriteLineAsync($"checked {items.Count} domains: {errors} with errors, {dns} with DNS that could not answer").ConfigureAwait(false);
        return errors > 0 ? ExitCodes.Negative : dns > 0 ? ExitCodes.Unavailable : ExitCodes.Ok;
    }
}
