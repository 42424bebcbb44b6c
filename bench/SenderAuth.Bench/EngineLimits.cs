using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Bench;

/// <summary>
/// The loops behind row_linearity and row_cache_memory (issue 19), one JSON document out:
/// <c>--linearity</c>: SPF and DMARC evaluation time against record size up to the engine's limits (parse included:
/// the parse caches are cleared before every evaluation, so a small record is not favoured by a cache hit);
/// <c>--cache-memory</c>: the three parse caches fed a stream of distinct large records, their estimated bytes and the
/// managed heap they hold at checkpoints.
/// </summary>
public static class EngineLimits
{
    // A sender domain of 120 labels (247 characters): the domain of the reported SPF CPU bomb.
    private static readonly string LongDomain = string.Join('.', Enumerable.Repeat("a", 120)) + ".example";

    public static async Task<int> LinearityAsync(Dictionary<string, string> options)
    {
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "0.5"), CultureInfo.InvariantCulture);
        // Two passes, the first discarded: tiered JIT recompiles hot methods on background threads during the first
        // seconds, whose CPU time would otherwise be charged to the smallest sizes.
        await MeasureAsync(seconds).ConfigureAwait(false);
        var rows = await MeasureAsync(seconds).ConfigureAwait(false);
        Console.WriteLine(JsonSerializer.Serialize(new { rows }));
        return 0;
    }

    private static async Task<List<object>> MeasureAsync(double seconds)
    {
        var rows = new List<object>();
        foreach (var size in (int[])[1024, 2048, 4096, 8192, SpfLimits.MaxRecordLength])
        {
            // No term matches 192.0.2.1: every ip4 term is compared, then -all.
            var ip4 = Pad("v=spf1", size, i => $" ip4:198.51.{i / 250 % 250}.{i % 250}/32", " -all");
            rows.Add(await SpfAsync("spf-ip4-terms", ip4, "big.example", seconds).ConfigureAwait(false));
            // The bomb's shape: a:%{d}.%{d}… against the 120-label domain (expansion stops at SpfLimits).
            var macros = Pad("v=spf1 a:", size, _ => "%{d}.", "example -all");
            rows.Add(await SpfAsync("spf-macro-bomb", macros, LongDomain, seconds).ConfigureAwait(false));
            var rua = Pad("v=DMARC1; p=reject; rua=", size, i => $"mailto:r{i}@example.com,", "mailto:last@example.com");
            rows.Add(await DmarcAsync("dmarc-rua-list", rua, seconds).ConfigureAwait(false));
            var tags = Pad("v=DMARC1; p=quarantine", size, i => $"; x{i}=y", "");
            rows.Add(await DmarcAsync("dmarc-unknown-tags", tags, seconds).ConfigureAwait(false));
        }
        return rows;
    }

    /// <summary><paramref name="head"/>, then pieces while they fit in <paramref name="size"/> with <paramref name="tail"/>.</summary>
    private static string Pad(string head, int size, Func<int, string> piece, string tail)
    {
        var sb = new StringBuilder(head);
        for (var i = 0; ; i++)
        {
            var p = piece(i);
            if (sb.Length + p.Length + tail.Length > size)
            {
                break;
            }
            sb.Append(p);
        }
        return sb.Append(tail).ToString();
    }

    private static async Task<object> SpfAsync(string shape, string record, string domain, double seconds)
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord(domain, 300, record.Chunk(255).Select(c => new string(c)).ToArray()));
        var evaluator = new SpfEvaluator(new ZoneDnsResolver(zone));
        var ip = IPAddress.Parse("192.0.2.1");
        SpfOutcome? last = null;
        var perCall = await TimeAsync(async () =>
        {
            SpfEvaluator.ParsedRecords.Clear();
            last = await evaluator.CheckHostAsync(ip, domain, "user@" + domain).ConfigureAwait(false);
        }, seconds).ConfigureAwait(false);
        return Row(shape, record.Length, perCall, $"{last!.Result.Token()} {last.Reason.Code()}");
    }

    private static async Task<object> DmarcAsync(string shape, string record, double seconds)
    {
        var zone = new DnsZone();
        zone.Add(new TxtRecord("_dmarc.example.com", 300, record.Chunk(255).Select(c => new string(c)).ToArray()));
        var evaluator = new DmarcEvaluator(new ZoneDnsResolver(zone));
        DmarcOutcome? last = null;
        var perCall = await TimeAsync(async () =>
        {
            DmarcRecord.Cache.Clear();
            last = await evaluator.EvaluateAsync("example.com", null, null).ConfigureAwait(false);
        }, seconds).ConfigureAwait(false);
        return Row(shape, record.Length, perCall, last!.Result.Token());
    }

    private static object Row(string shape, int chars, double microseconds, string result) => new
    {
        shape,
        chars,
        microseconds = Math.Round(microseconds, 2),
        microsecondsPerKChars = Math.Round(microseconds / (chars / 1000.0), 3),
        result,
    };

    /// <summary>
    /// Mean CPU microseconds of this process per call over a window of about <paramref name="seconds"/>, after a
    /// warm-up of the same length. CPU time, not wall-clock: this machine's two cores are shared, and a wall-clock
    /// window here was up to four times its CPU time, mostly waiting for a core.
    /// </summary>
    private static async Task<double> TimeAsync(Func<Task> call, double seconds)
    {
        using var process = Process.GetCurrentProcess();
        for (var phase = 0; ; phase++)
        {
            var calls = 0;
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                for (var i = 0; i < 16; i++)
                {
                    await call().ConfigureAwait(false);
                }
                calls += 16;
            }
            if (phase == 1)
            {
                process.Refresh();
                return (process.TotalProcessorTime - cpu).TotalMicroseconds / calls;
            }
        }
    }

    public static int CacheMemory(Dictionary<string, string> options)
    {
        var total = int.Parse(options.GetValueOrDefault("--records", "40000"), CultureInfo.InvariantCulture);
        var checkpoints = new[] { 1000, 5000, 10000, 20000, total }.Where(c => c <= total).Distinct().ToArray();
        using var signing = DkimPrivateKey.Generate(DkimKeyType.Rsa, 2048);
        var p = Convert.ToBase64String(signing.PublicKey.PublishedBytes);
        SpfEvaluator.ParsedRecords.Clear();
        DmarcRecord.Cache.Clear();
        DkimKeyRecord.Cache.Clear();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var rows = new List<object>();
        var next = 0;
        for (var i = 1; i <= total; i++)
        {
            // Distinct records as a wildcard-answering server makes them: the largest the caches keep (just under
            // 4,096 characters) and every tenth one of 60,000 characters (parsed, never kept).
            var length = i % 10 == 0 ? 60_000 : 4_000;
            var pad = Filler(i, length - 120);
            SpfEvaluator.Parse($"v=spf1 ip4:192.0.2.{i % 250} a:{pad}.example include:_spf.esp.example -all");
            DmarcRecord.Parse($"v=DMARC1; p=reject; rua=mailto:{pad}@example.com");
            // The key's p= (392 characters) comes on top: a shorter note keeps the record cacheable.
            DkimKeyRecord.Parse($"v=DKIM1; k=rsa; n={pad[..(pad.Length - 400)]}; p={p}", out _);
            if (i == checkpoints[next])
            {
                var heap = GC.GetTotalMemory(forceFullCollection: true) - baseline;
                rows.Add(new
                {
                    records = i,
                    spfBytes = SpfEvaluator.ParsedRecords.Bytes,
                    dmarcBytes = DmarcRecord.Cache.Bytes,
                    dkimBytes = DkimKeyRecord.Cache.Bytes,
                    estimatedBytes = SpfEvaluator.ParsedRecords.Bytes + DmarcRecord.Cache.Bytes + DkimKeyRecord.Cache.Bytes,
                    heapBytes = heap,
                    budgetBytes = SpfEvaluator.ParsedRecords.MaxBytes + DmarcRecord.Cache.MaxBytes + DkimKeyRecord.Cache.MaxBytes,
                    entries = SpfEvaluator.ParsedRecords.Count + DmarcRecord.Cache.Count + DkimKeyRecord.Cache.Count,
                });
                next++;
            }
        }
        Console.WriteLine(JsonSerializer.Serialize(new { rows }));
        return 0;
    }

    /// <summary>A label-safe filler of <paramref name="length"/> characters, distinct per <paramref name="i"/>.</summary>
    private static string Filler(int i, int length)
    {
        var id = i.ToString(CultureInfo.InvariantCulture);
        return id + new string('x', length - id.Length);
    }
}
