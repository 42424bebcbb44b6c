namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// SPF check_host() on the ESP policy (7 lookups, in-memory DNS on both sides), ours against pyspf, the same
/// policy file and cases; each refuses to time a case whose result differs from the expected one.
/// </summary>
public sealed class SpfRow : IRow
{
    public string Name => "row_spf";

    public string Description => "SPF check_host, ESP policy, pass and softfail (vs pyspf)";

    // Debian's python3 runs the peer, never a pyenv python3 first on PATH (it cannot see python3-spf).
    public IReadOnlyList<string> Packages => ["python3-spf", "python3-dnspython"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var seconds = context.Options.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var policy = Path.Combine(context.Work, "spf-policy.json");
        await Tool.RunAsync(context.Bench, ["--write-policy", policy], ct).ConfigureAwait(false);
        RowContext.Log($"==> spf: SenderAuth {seconds}s per case");
        var ours = await ThroughputRuns.OnceAsync(context.Bench, ["--throughput", "spf", "--seconds", seconds, "--policy", policy], ct).ConfigureAwait(false);
        RowContext.Log($"==> spf: pyspf {seconds}s per case");
        var peer = await ThroughputRuns.OnceAsync("/usr/bin/python3",
            [context.Path("bench/peers/pyspf_bench.py"), "--policy", policy, "--seconds", seconds], ct).ConfigureAwait(false);
        foreach (var c in new[] { "pass", "softfail" })
        {
            context.Report(new($"spf check_host, ESP policy, 7 lookups, {c} (vs pyspf)", ours[c], peer[c]));
        }
    }
}
