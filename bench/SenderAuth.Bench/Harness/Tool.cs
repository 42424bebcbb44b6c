using System.Diagnostics;

namespace SenderAuth.Bench.Harness;

/// <summary>What a finished program printed: its exit code, its standard output and (when captured) its standard error.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the programs a row drives (peers, test-server scripts, our CLI, our own loops in a fresh process) and
/// returns what they printed. Standard error goes to the harness's own (the progress the bash harness showed)
/// unless captured; a non-zero exit is a <see cref="RowFailedException"/> unless the caller accepts it.
/// </summary>
public static class Tool
{
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null, bool captureStderr = false, bool check = true,
        string? stdin = null)
    {
        var info = StartInfo(file, args, environment);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = captureStderr;
        info.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(info) ?? throw new RowFailedException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = captureStderr ? process.StandardError.ReadToEndAsync(ct) : Task.FromResult("");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var result = new ToolResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        if (check && result.ExitCode != 0)
        {
            var said = (result.Stderr + result.Stdout).Trim();
            throw new RowFailedException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited {result.ExitCode}"
                + (said.Length > 0 ? ":\n" + Tail(said, 30) : ""));
        }
        return result;
    }

    /// <summary>The last <paramref name="lines"/> lines of a text (a log shown when a row fails).</summary>
    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    internal static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        return info;
    }
}
