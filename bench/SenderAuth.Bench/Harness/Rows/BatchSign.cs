using System.Diagnostics;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// Our batch signer as shipped, <c>senderauth dkim sign --out-dir</c> over N copies of the message in one process
/// (a pickup-directory run): process start, JIT warm-up, and per message a read, the signature, a write to a
/// temporary file and a rename, all inside the wall-clock time, against <c>openssl speed rsa2048 -elapsed</c>'s
/// single-thread rate from the same run. Target (issue 24): at least 0.9x. One output must verify.
/// </summary>
public static class BatchSign
{
    public static async Task RunAsync(RowContext context, string key, string message, int count, double opensslWallRate, CancellationToken ct)
    {
        var dir = context.Folder("pickup");
        var input = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        var output = Directory.CreateDirectory(Path.Combine(dir, "out")).FullName;
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(input, $"m{i:00000}.eml")).ToList();
        foreach (var f in files)
        {
            File.Copy(message, f);
        }
        var cli = await context.EngineCliAsync().ConfigureAwait(false);
        RowContext.Log($"==> dkim: batch signer, senderauth dkim sign --out-dir, {count} files");
        var sw = Stopwatch.StartNew();
        await Tool.RunAsync(cli, ["dkim", "sign", "--key", key, "--domain", "mosamuseum.com", "--selector", "rsa2026", "--out-dir", output, .. files],
            ct, captureStderr: true).ConfigureAwait(false);
        var seconds = sw.Elapsed.TotalSeconds;
        var signed = Directory.GetFiles(output).Length;
        if (signed != count)
        {
            throw new RowFailedException($"batch sign: expected {count} signed files, found {signed}");
        }
        await Tool.RunAsync(context.Bench, ["--throughput", "dkim-verify", "--key", key, "--message", Path.Combine(output, "m00000.eml"), "--seconds", "0.1"], ct).ConfigureAwait(false);
        context.Report(new($"dkim batch sign rsa-2048, 2 KB x {count} files, CLI --out-dir, {seconds:0.00} s wall incl. process start (vs openssl speed -elapsed)",
            count / seconds, opensslWallRate, "0.9"));
        Directory.Delete(dir, recursive: true);
    }
}
