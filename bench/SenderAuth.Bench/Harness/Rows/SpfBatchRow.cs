using System.Diagnostics;
using System.Text.Json;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// <c>senderauth spf --batch</c> as shipped against pyspf doing the same per line (bench/peers/pyspf_batch.py: parse
/// the JSON line, check_host, the Received-SPF header, one JSON line out), on the same 10,000 lines of the ESP policy
/// (the cases of row_spf in turn) and the same records (a zone file for ours, the policy JSON for pyspf). Each side is
/// one process per run, timed by the wall clock from its start to its exit, input from a file and output to a file;
/// the two outputs must agree line by line on the result. Target: at least 20x pyspf.
/// </summary>
public sealed class SpfBatchRow : IRow
{
    private const int Lines = 10_000;

    public string Name => "row_spf_batch";

    public string Description => "SPF batch CLI, 10,000 JSON lines incl. process start (vs pyspf)";

    public IReadOnlyList<string> Packages => ["python3-spf", "python3-dnspython"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var dir = context.Folder("spf-batch");
        await Tool.RunAsync(context.Bench, ["--write-spf-batch", dir, "--lines", $"{Lines}"], ct).ConfigureAwait(false);
        string input = Path.Combine(dir, "input.jsonl"), ours = Path.Combine(dir, "ours.jsonl"), peer = Path.Combine(dir, "pyspf.jsonl");
        var cli = await context.EngineCliAsync().ConfigureAwait(false);
        // Warm the page cache for both programs' files, so neither pays the first read from disk.
        await TimedAsync(cli, ["spf", "--batch", "--zone", Path.Combine(dir, "policy.zone"), "--receiver", "mx.bench.example"], input, ours, ct).ConfigureAwait(false);
        await TimedAsync("/usr/bin/python3", [context.Path("bench/peers/pyspf_batch.py"), "--policy", Path.Combine(dir, "policy.json")], input, peer, ct).ConfigureAwait(false);

        var rounds = Math.Max(1, context.Options.Rounds);
        double oursBest = double.MaxValue, peerBest = double.MaxValue;
        RowContext.Log($"==> spf batch: {rounds} interleaved rounds, {Lines} lines each side");
        for (var i = 0; i < rounds; i++)
        {
            // Interleaved, each side's best: the load other work puts on this shared VM moves both alike.
            oursBest = Math.Min(oursBest, await TimedAsync(cli, ["spf", "--batch", "--zone", Path.Combine(dir, "policy.zone"),
                "--receiver", "mx.bench.example"], input, ours, ct).ConfigureAwait(false));
            peerBest = Math.Min(peerBest, await TimedAsync("/usr/bin/python3", [context.Path("bench/peers/pyspf_batch.py"),
                "--policy", Path.Combine(dir, "policy.json")], input, peer, ct).ConfigureAwait(false));
            RowContext.Log($"    round {i + 1}: ours {oursBest:0.000} s best, pyspf {peerBest:0.000} s best");
        }
        Agree(ours, peer);
        context.Report(new($"spf --batch, ESP policy, {Lines} JSON lines, wall incl. process start, ours {oursBest:0.00} s, pyspf {peerBest:0.00} s (vs pyspf)",
            Lines / oursBest, Lines / peerBest, "20"));
    }

    /// <summary>Seconds from start to exit of one run, standard input and output redirected to files by the shell.</summary>
    private static async Task<double> TimedAsync(string file, IEnumerable<string> args, string input, string output, CancellationToken ct)
    {
        // exec: the shell becomes the program, so the time is the program's (plus one fork of sh, alike for both).
        var sw = Stopwatch.StartNew();
        await Tool.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"$IN\" > \"$OUT\"", file, .. args], ct,
            new Dictionary<string, string> { ["IN"] = input, ["OUT"] = output }).ConfigureAwait(false);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Refuses a run where the two sides disagree on any line's result (a wrong answer is not timed).</summary>
    private static void Agree(string ours, string peer)
    {
        var a = File.ReadLines(ours).ToList();
        var b = File.ReadLines(peer).ToList();
        if (a.Count != Lines || b.Count != Lines)
        {
            throw new RowFailedException($"spf batch: {a.Count} lines from ours, {b.Count} from pyspf, {Lines} expected");
        }
        for (var i = 0; i < Lines; i++)
        {
            using var x = JsonDocument.Parse(a[i]);
            using var y = JsonDocument.Parse(b[i]);
            var ra = x.RootElement.TryGetProperty("result", out var r1) ? r1.GetString() : a[i];
            var rb = y.RootElement.TryGetProperty("result", out var r2) ? r2.GetString() : b[i];
            if (ra != rb || x.RootElement.GetProperty("line").GetInt32() != y.RootElement.GetProperty("line").GetInt32())
            {
                throw new RowFailedException($"spf batch: line {i + 1}: ours {a[i]}, pyspf {b[i]}");
            }
        }
    }
}
