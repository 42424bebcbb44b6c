using System.Diagnostics;

namespace SenderAuth.Bench.Harness.Rows;

/// <summary>
/// CLI start-up: the wall time from spawning the engine CLI as the launcher runs it (.build/cli-engine, Native AOT; the
/// ReadyToRun CLI in .build/cli where it could not be built) to its exit, for
/// the five engine commands on zone files, with no network (spf, dkim verify, dmarc lint, verify, check), and
/// <c>spf --help</c>, median of <see cref="Runs"/> runs after warm-up; target at most 100 ms. The DKIM key, the signed
/// message and the zones are made before timing by the same CLI (keygen, sign) from the tour's files. The floor is measured the same way in the same run:
/// starting any process at all (<c>/bin/true</c>) and an interpreter doing nothing (<c>python3 -c pass</c>). The
/// launcher's own cost (bash and its staleness check) is a line of its own, and so is <c>spf</c> on the ReadyToRun CLI
/// (what the engine commands fall back to, and what every other command runs on). The CPU time per run (user + system,
/// the children's times of this process) is reported too: on a loaded machine it moves far less than the wall time.
/// </summary>
public sealed class StartupRow : IRow
{
    private const int Runs = 40;
    private const int WarmUp = 3;

    public string Name => "row_startup";

    public string Description => "CLI start-up for engine commands, spawn to exit (median ms) vs /bin/true and python3 -c pass";

    public IReadOnlyList<string> Packages => [];

    public async Task RunAsync(RowContext context, CancellationToken ct)
    {
        var cli = await context.EngineCliAsync().ConfigureAwait(false);
        var zone = context.Path("examples/mosamuseum.zone");
        var (signedZone, signed, checkZone) = await FixturesAsync(context, cli, zone, ct).ConfigureAwait(false);
        var profile = context.Path("tests/SenderAuth.Tests/TestData/check/profile.json");
        RowContext.Log($"==> startup: {Runs} runs each after {WarmUp} warm-up runs");
        var (floor, floorCpu) = await MedianMsAsync("/bin/true", [], 0, ct).ConfigureAwait(false);
        var (python, pythonCpu) = await MedianMsAsync("/usr/bin/python3", ["-c", "pass"], 0, ct).ConfigureAwait(false);
        (string What, string File, string[] Args, int Exit)[] cases =
        [
            ("senderauth spf --help", cli, ["spf", "--help"], 0),
            ("senderauth spf (pass) on a zone file", cli, ["spf", "--ip", "203.0.113.7", "--mail-from", "tickets@mosamuseum.com",
                "--helo", "mta1.ticketing.example", "--zone", zone], 0),
            ("senderauth dmarc lint on a zone file", cli, ["dmarc", "lint", "mosamuseum.com", "--zone", zone], -1),
            ("senderauth dkim verify of a signed message on a zone file", cli, ["dkim", "verify", "--zone", signedZone, signed], 0),
            ("senderauth verify (SPF, DKIM, DMARC) of a signed message on a zone file", cli, ["verify", "--ip", "203.0.113.7",
                "--mail-from", "bounce@mosamuseum.com", "--helo", "mta1.ticketing.example", "--zone", signedZone,
                "--authserv-id", "mx.example.net", signed], 0),
            // flattxt.example holds a flattened DKIM CNAME: the check names that error and exits 1.
            ("senderauth check --zone (a domain with one error)", cli, ["check", "flattxt.example", "--profile", profile,
                "--code", "mosa", "--zone", checkZone], 1),
            ("senderauth spf (pass) on a zone file, ReadyToRun CLI (.build/cli)", await context.CliAsync().ConfigureAwait(false),
                ["spf", "--ip", "203.0.113.7", "--mail-from", "tickets@mosamuseum.com", "--helo", "mta1.ticketing.example", "--zone", zone], 0),
            ("./senderauth spf --help (launcher: bash and its staleness check)", context.Path("senderauth"), ["spf", "--help"], 0),
        ];
        foreach (var (what, file, args, exit) in cases)
        {
            var (ms, cpu) = await MedianMsAsync(file, args, exit, ct).ConfigureAwait(false);
            RowContext.Log($"    {what}: {ms:0.0} ms wall, {cpu:0.0} ms CPU (/bin/true {floor:0.0} / {floorCpu:0.0}, python3 -c pass {python:0.0} / {pythonCpu:0.0})");
            context.Report(new($"CLI start-up, {what}, median ms (peer: /bin/true)", ms, floor, "<=100"));
            context.Report(new($"  the same, CPU ms per run (peer: python3 -c pass)", cpu, pythonCpu));
        }
        context.Report(new("start-up floor: python3 -c pass, median ms (peer: /bin/true)", python, floor));
    }

    /// <summary>
    /// The tour's DKIM step (README): a key made by <c>dkim keygen</c>, its record in a zone with the tour's SPF and
    /// DMARC records, the tour's message signed by <c>dkim sign</c>; and the check's fixture zones in one file.
    /// </summary>
    private static async Task<(string SignedZone, string Signed, string CheckZone)> FixturesAsync(RowContext context, string cli, string zone, CancellationToken ct)
    {
        var folder = context.Folder("startup");
        var key = Path.Combine(folder, "stxsel1.pem");
        var record = await Tool.RunAsync(cli, ["dkim", "keygen", "--domain", "mosamuseum.com", "--selector", "stxsel1", "--out", key], ct,
            captureStderr: true).ConfigureAwait(false);
        var signedZone = Path.Combine(folder, "signed.zone");
        await File.WriteAllTextAsync(signedZone, record.Stdout + await File.ReadAllTextAsync(zone, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        var message = await File.ReadAllTextAsync(context.Path("examples/ticket.eml"), ct).ConfigureAwait(false);
        var signature = await Tool.RunAsync(cli, ["dkim", "sign", "--key", key, "--domain", "mosamuseum.com", "--selector", "stxsel1"], ct,
            stdin: message).ConfigureAwait(false);
        var signed = Path.Combine(folder, "signed.eml");
        await File.WriteAllTextAsync(signed, signature.Stdout, ct).ConfigureAwait(false);
        var checkZone = Path.Combine(folder, "check.zone");
        var zones = new[] { "ticketing", "flattxt" }.Select(z => context.Path($"tests/servers/knot/zones/{z}.example.zone"));
        await File.WriteAllLinesAsync(checkZone, zones.Select(File.ReadAllText), ct).ConfigureAwait(false);
        return (signedZone, signed, checkZone);
    }

    /// <summary>
    /// Median wall time of <see cref="Runs"/> runs and their mean CPU time; a run must exit with <paramref name="exit"/>
    /// (-1: any).
    /// </summary>
    private static async Task<(double WallMs, double CpuMs)> MedianMsAsync(string file, string[] args, int exit, CancellationToken ct)
    {
        var times = new List<double>(Runs);
        var cpuBefore = 0.0;
        for (var i = 0; i < WarmUp + Runs; i++)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            args.ToList().ForEach(info.ArgumentList.Add);
            info.Environment["NO_COLOR"] = "1";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new RowFailedException($"{file} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            if (exit >= 0 && process.ExitCode != exit)
            {
                throw new RowFailedException($"{file} {string.Join(' ', args)} exited {process.ExitCode}, not {exit}:\n{Tool.Tail(await stderr.ConfigureAwait(false), 10)}");
            }
            if (i == WarmUp - 1)
            {
                cpuBefore = ChildrenCpuMs();
            }
            if (i >= WarmUp)
            {
                times.Add(elapsed);
            }
        }
        var cpu = (ChildrenCpuMs() - cpuBefore) / Runs;
        times.Sort();
        return (times[times.Count / 2], cpu);
    }

    /// <summary>
    /// User + system time of this process's reaped children (cutime + cstime of /proc/self/stat, in clock ticks of
    /// 10 ms, Linux's USER_HZ): summed over a whole series, so a run's share is exact to 10 ms / <see cref="Runs"/>.
    /// </summary>
    private static double ChildrenCpuMs()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name in parentheses (which may hold spaces): state is field 3, cutime 16, cstime 17.
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(rest[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(rest[14], System.Globalization.CultureInfo.InvariantCulture)) * 10.0;
    }
}
