using System.Net;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Tests.Spf;

/// <summary>
/// The work of one check is linear in the record and bounded by <see cref="SpfLimits"/> (issue 19). Work is measured
/// as bytes allocated on the test's thread (the zone resolver answers synchronously, so the whole check runs here),
/// never as wall-clock time.
/// </summary>
[Trait("Layer", "engine")]
public class SpfLimitsTests
{
    // A sender domain of 120 labels: "a.a.…a.example" (247 characters), the shape of the reported CPU bomb.
    private static readonly string LongDomain = string.Join('.', Enumerable.Repeat("a", 120)) + ".example";

    private static SpfEvaluator Evaluator(string domain, string record, IDnsResolver? resolver = null)
    {
        var zone = new SpfTestZone().Txt(domain, Strings(record));
        return new SpfEvaluator(resolver ?? new ZoneDnsResolver(zone.Zone));
    }

    /// <summary>TXT character-strings are at most 255 octets: a long record is published as several.</summary>
    private static string[] Strings(string record) => record.Chunk(255).Select(c => new string(c)).ToArray();

    private static SpfOutcome CheckSynchronously(SpfEvaluator evaluator, string domain, string? sender = null)
    {
        var task = evaluator.CheckHostAsync(IPAddress.Parse("192.0.2.1"), domain, sender ?? "user@" + domain, "mx.example.org");
        Assert.True(task.IsCompleted, "the zone resolver answers synchronously, so the check completes on this thread");
        return task.Result;
    }

    /// <summary>Bytes allocated by a check after a first, warm-up check of the same record (JIT and parse cache).</summary>
    private static (SpfOutcome Outcome, long Bytes) Measure(string domain, string record)
    {
        var evaluator = Evaluator(domain, record);
        CheckSynchronously(evaluator, domain);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = CheckSynchronously(evaluator, domain);
        return (outcome, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void CheckHost_ReportedBomb_LimitExceededWithBoundedWork()
    {
        // 3.2 KB of "%{d}." against a 120-label sender domain: 5 s and 11.7 GiB of allocation per check before.
        var record = "v=spf1 a:" + string.Concat(Enumerable.Repeat("%{d}.", 640)) + "example -all";
        var (outcome, bytes) = Measure(LongDomain, record);
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(SpfReason.LimitExceeded, outcome.Reason);
        Assert.Contains($"more than {SpfLimits.MaxMacroExpansionLength} characters", outcome.Detail, StringComparison.Ordinal);
        Assert.True(bytes < 256 * 1024, $"one check allocated {bytes:N0} bytes");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(32)]
    public void CheckHost_DomainSpecShortened_AllocationLinearInExpansion(int macros)
    {
        // Up to 32 × 248 = 7,936 characters (under the expansion limit) cut to 253: one label per Substring was
        // about 4,000 copies of up to 8 KB (over 30 MB) for the 32-macro case.
        var record = "v=spf1 a:" + string.Join('.', Enumerable.Repeat("%{d}", macros)) + " -all";
        var (outcome, bytes) = Measure(LongDomain, record);
        Assert.Equal(SpfResult.Fail, outcome.Result);
        var expansion = macros * (LongDomain.Length + 1);
        Assert.True(bytes < 32 * 1024 + (8L * expansion), $"{macros} macros ({expansion} characters) allocated {bytes:N0} bytes");
    }

    [Fact]
    public void CheckHost_RecordOverLimit_LimitExceededBeforeParsing()
    {
        var record = "v=spf1 " + string.Concat(Enumerable.Repeat("ip4:192.0.2.0/24 ", (SpfLimits.MaxRecordLength / 17) + 1)) + "-all";
        var outcome = CheckSynchronously(Evaluator("big.example", record), "big.example");
        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(SpfReason.LimitExceeded, outcome.Reason);
        Assert.Equal("limit-exceeded", outcome.Reason.Code());
    }

    [Fact]
    public void CheckHost_RecordAtLimit_Evaluated()
    {
        var terms = (SpfLimits.MaxRecordLength - 12) / 17;
        var record = "v=spf1 " + string.Concat(Enumerable.Repeat("ip4:192.0.2.0/24 ", terms)) + "-all";
        Assert.True(record.Length <= SpfLimits.MaxRecordLength);
        var outcome = CheckSynchronously(Evaluator("big.example", record), "big.example");
        Assert.Equal(SpfResult.Pass, outcome.Result);
    }

    [Fact]
    public void CheckHost_SenderOverLimit_LimitExceededWithoutQueries()
    {
        var log = new DnsQueryLog(new ZoneDnsResolver(new SpfTestZone().Txt("example.com", "v=spf1 exists:%{l1}.example.com -all").Zone));
        var sender = new string('a', SpfLimits.MaxIdentityLength) + "@example.com";
        var outcome = CheckSynchronously(new SpfEvaluator(log), "example.com", sender);
        Assert.Equal((SpfResult.PermError, SpfReason.LimitExceeded), (outcome.Result, outcome.Reason));
        Assert.Empty(log.Entries);
    }

    [Fact]
    public void CheckHost_CancelledDuringMechanismLoop_StopsBeforeTheRest()
    {
        // The first term's lookup cancels; thousands of ip4 terms and -all follow. Checked only after the loop, the
        // check would have run them all and returned fail.
        using var cts = new CancellationTokenSource();
        var record = "v=spf1 a:host.example " + string.Concat(Enumerable.Repeat("ip4:198.51.100.0/24 ", 500)) + "-all";
        var zone = new SpfTestZone().Txt("cancel.example", Strings(record)).A("host.example", "203.0.113.9");
        var resolver = new CancellingResolver(new ZoneDnsResolver(zone.Zone), cts, cancelAfter: 2);
        var evaluator = new SpfEvaluator(resolver);
        var task = evaluator.CheckHostAsync(IPAddress.Parse("192.0.2.1"), "cancel.example", "u@cancel.example", null, cts.Token);
        Assert.True(task.IsCompleted);
        Assert.True(task.IsCanceled);
        Assert.Equal(2, resolver.Queries);
    }

    [Fact]
    public void CheckHost_CancelledDuringMacroExpansion_StopsBeforeTheNextPart()
    {
        // %{p} looks up PTR names; the resolver cancels on that lookup, and expansion stops at the next part.
        using var cts = new CancellationTokenSource();
        var record = "v=spf1 exists:%{p}." + string.Join('.', Enumerable.Repeat("%{d}", 20)) + " -all";
        var zone = new SpfTestZone().Txt("macro.example", record);
        var resolver = new CancellingResolver(new ZoneDnsResolver(zone.Zone), cts, cancelAfter: 2);
        var evaluator = new SpfEvaluator(resolver);
        var task = evaluator.CheckHostAsync(IPAddress.Parse("192.0.2.1"), "macro.example", "u@macro.example", null, cts.Token);
        Assert.True(task.IsCompleted);
        Assert.True(task.IsCanceled);
        Assert.Equal(2, resolver.Queries);
    }

    [Fact]
    public async Task Lint_IncludeTreeFanningOut_StopsAtItsQueryBudget()
    {
        // Ten names each including all ten: loop detection only cuts a name already on the path, so following every
        // path would be about ten million TXT queries (10! orderings).
        var includes = string.Join(' ', Enumerable.Range(1, 10).Select(i => $"include:x{i}.fan.example"));
        var zone = new SpfTestZone().Txt("fan.example", $"v=spf1 {includes} -all");
        for (var i = 1; i <= 10; i++)
        {
            zone.Txt($"x{i}.fan.example", $"v=spf1 {includes} -all");
        }
        var log = new DnsQueryLog(new ZoneDnsResolver(zone.Zone));
        var report = await new SpfLinter(log).LintDomainAsync("fan.example", TestContext.Current.CancellationToken);
        // The domain's TXT and type-99 queries, then the budget.
        Assert.InRange(log.Entries.Count, SpfLinter.MaxQueries, SpfLinter.MaxQueries + 2);
        Assert.Contains(report.Findings, f => f.Code == "lint-truncated");
        Assert.Contains(report.Findings, f => f.Code == "too-many-lookups");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(63)]
    public void ShortenDomain_AnyLength_SameAsDroppingOneLabelAtATime(int labelLength)
    {
        var random = new Random(labelLength);
        for (var n = 0; n < 200; n++)
        {
            var labels = Enumerable.Range(0, random.Next(1, 80)).Select(_ => new string('x', random.Next(1, labelLength + 1)));
            var name = string.Join('.', labels) + (random.Next(2) == 0 ? "." : "");
            Assert.Equal(DropLabels(name), SpfEvaluator.ShortenDomain(name));
        }
    }

    /// <summary>The RFC 7208 §7.3 reading, one label at a time (the old, quadratic code), as the reference.</summary>
    private static string? DropLabels(string name)
    {
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }
        while (name.Length > 253)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }
            name = name[(dot + 1)..];
        }
        return DnsName.IsValid(name) ? DnsName.Normalize(name) : null;
    }

    /// <summary>Answers from <paramref name="inner"/> and cancels <paramref name="cts"/> once it has answered <paramref name="cancelAfter"/> queries.</summary>
    private sealed class CancellingResolver(IDnsResolver inner, CancellationTokenSource cts, int cancelAfter) : IDnsResolver
    {
        public int Queries { get; private set; }

        public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            var answer = inner.QueryAsync(name, type, cancellationToken);
            if (++Queries == cancelAfter)
            {
                cts.Cancel();
            }
            return answer;
        }
    }
}
