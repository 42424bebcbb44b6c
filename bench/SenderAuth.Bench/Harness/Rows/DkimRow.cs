using System.Globalization;
using SenderAuth.Bench.Harness.Peers;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// DKIM sign and verify, ours against MimeKit, libopendkim and <c>openssl speed</c>, on the same fresh keys (made in
/// the run's folder, never committed) and the same two messages (bench/data: 2 KB transactional, 20 KB marketing).
/// Each contender runs <see cref="HarnessOptions.Rounds"/> windows and keeps its best. The verify rows are also given
/// on the CPU-time basis: each side's operations per CPU second of its own process (ours with its GC and JIT
/// threads), which other work on this shared VM does not move the way it moves wall-clock rates.
/// </summary>
public sealed class DkimRow : IRow
{
    public string Name => "row_dkim";

    public string Description => "DKIM sign/verify, full verification (vs MimeKit, libopendkim, openssl speed)";

    // The DKIM peer (libopendkim, compiled here) and the raw OpenSSL rate (openssl speed).
    public IReadOnlyList<string> Packages => ["opendkim-tools", "libopendkim-dev", "gcc", "pkg-config", "openssl"];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var s = context.Options.Seconds.ToString(CultureInfo.InvariantCulture);
        var keys = context.Folder("dkim");
        var w = context.Work;
        await Tool.RunAsync(context.Bench, ["--write-dkim-keys", keys], ct).ConfigureAwait(false);
        var od = await OpenDkimBench.BuildAsync(context, ct).ConfigureAwait(false);
        string rsa = Path.Combine(keys, "rsa2048.pem"), ed = Path.Combine(keys, "ed25519.pem");
        string t = context.Path("bench/data/transactional-2k.eml"), m = context.Path("bench/data/marketing-20k.eml");
        string signed2k = Path.Combine(w, "ours-2k.eml"), signed20k = Path.Combine(w, "ours-20k.eml");

        var opensslWall = await SignVsOpenssl.RunAsync(context, rsa, t, ct).ConfigureAwait(false);
        await BatchSign.RunAsync(context, rsa, t, 10_000, opensslWall, ct).ConfigureAwait(false);

        Task<Rates> Ours(params string[] args) => ThroughputRuns.BestOfAsync(context, context.Bench, [.. args, "--seconds", s], ct);
        Task<Rates> Peer(params string[] args) => ThroughputRuns.BestOfAsync(context, od, [.. args, "--seconds", s], ct);
        RowContext.Log($"==> dkim: SenderAuth sign/verify ({s}s per case)");
        var oursSign2k = await Ours("--throughput", "dkim-sign", "--key", rsa, "--message", t, "--out", signed2k).ConfigureAwait(false);
        var oursSign20k = await Ours("--throughput", "dkim-sign", "--key", rsa, "--message", m, "--out", signed20k).ConfigureAwait(false);
        var oursSignEd = await Ours("--throughput", "dkim-sign", "--key", ed, "--message", t).ConfigureAwait(false);
        var oursVerify2k = await Ours("--throughput", "dkim-verify", "--key", rsa, "--message", signed2k).ConfigureAwait(false);
        var oursVerify20k = await Ours("--throughput", "dkim-verify", "--key", rsa, "--message", signed20k).ConfigureAwait(false);
        var oursFull2k = await Ours("--throughput", "verify-full", "--key", rsa, "--message", signed2k).ConfigureAwait(false);
        var oursFull20k = await Ours("--throughput", "verify-full", "--key", rsa, "--message", signed20k).ConfigureAwait(false);
        RowContext.Log($"==> dkim: MimeKit sign ({s}s per case)");
        var mk2k = await Ours("--throughput", "mimekit-sign", "--key", rsa, "--message", t).ConfigureAwait(false);
        var mk20k = await Ours("--throughput", "mimekit-sign", "--key", rsa, "--message", m).ConfigureAwait(false);
        RowContext.Log($"==> dkim: libopendkim sign/verify ({s}s per case)");
        string odSigned2k = Path.Combine(w, "od-2k.eml"), odSignedEd = Path.Combine(w, "od-ed.eml"), queries = Path.Combine(keys, "keys.txt");
        var odSign2k = await Peer("sign", "--key", rsa, "--domain", "mosamuseum.com", "--selector", "rsa2026", "--message", t, "--out", odSigned2k).ConfigureAwait(false);
        var odSign20k = await Peer("sign", "--key", rsa, "--domain", "mosamuseum.com", "--selector", "rsa2026", "--message", m).ConfigureAwait(false);
        var odSignEd = await Peer("sign", "--key", ed, "--domain", "mosamuseum.com", "--selector", "ed2026", "--alg", "ed25519", "--message", t, "--out", odSignedEd).ConfigureAwait(false);
        var odVerify2k = await Peer("verify", "--keys", queries, "--message", signed2k).ConfigureAwait(false);
        var odVerify20k = await Peer("verify", "--keys", queries, "--message", signed20k).ConfigureAwait(false);
        // Cross-check: libopendkim's signatures verify with ours (and its verify loop refuses our messages unless they pass).
        await Tool.RunAsync(context.Bench, ["--throughput", "dkim-verify", "--key", rsa, "--message", odSigned2k, "--seconds", "0.1"], ct).ConfigureAwait(false);
        await Tool.RunAsync(context.Bench, ["--throughput", "dkim-verify", "--key", ed, "--message", odSignedEd, "--seconds", "0.1"], ct).ConfigureAwait(false);

        var o2 = oursSign2k["sign"];
        context.Report(new("dkim sign rsa-2048, 2 KB (vs MimeKit DkimSigner.Sign)", o2, mk2k["sign-only"], "15"));
        context.Report(new("dkim sign rsa-2048, 2 KB (vs MimeKit Load + Sign)", o2, mk2k["sign"]));
        context.Report(new("dkim sign rsa-2048, 2 KB (vs libopendkim)", o2, odSign2k["sign"], "3"));
        context.Report(new("dkim sign rsa-2048, 20 KB (vs MimeKit DkimSigner.Sign)", oursSign20k["sign"], mk20k["sign-only"]));
        context.Report(new("dkim sign rsa-2048, 20 KB (vs libopendkim)", oursSign20k["sign"], odSign20k["sign"]));
        context.Report(new("dkim sign ed25519, 2 KB (vs libopendkim)", oursSignEd["sign"], odSignEd["sign"]));
        context.Report(new("dkim verify rsa-2048, 2 KB, key cached (vs libopendkim)", oursVerify2k["verify"], odVerify2k["verify"], "3"));
        context.Report(new("dkim verify rsa-2048, 20 KB, key cached (vs libopendkim)", oursVerify20k["verify"], odVerify20k["verify"], "3"));
        context.Report(new("full verify SPF+DKIM+DMARC, 2 KB (vs libopendkim DKIM only)", oursFull2k["verify"], odVerify2k["verify"], "3"));
        context.Report(new("full verify SPF+DKIM+DMARC, 20 KB (vs libopendkim DKIM only)", oursFull20k["verify"], odVerify20k["verify"], "3"));
        // The same four targets on the CPU-time basis.
        context.Report(new("dkim verify rsa-2048, 2 KB, key cached (vs libopendkim; CPU time)", oursVerify2k.Cpu("verify"), odVerify2k.Cpu("verify"), "3"));
        context.Report(new("dkim verify rsa-2048, 20 KB, key cached (vs libopendkim; CPU time)", oursVerify20k.Cpu("verify"), odVerify20k.Cpu("verify"), "3"));
        context.Report(new("full verify SPF+DKIM+DMARC, 2 KB (vs libopendkim DKIM only; CPU time)", oursFull2k.Cpu("verify"), odVerify2k.Cpu("verify"), "3"));
        context.Report(new("full verify SPF+DKIM+DMARC, 20 KB (vs libopendkim DKIM only; CPU time)", oursFull20k.Cpu("verify"), odVerify20k.Cpu("verify"), "3"));
    }
}
