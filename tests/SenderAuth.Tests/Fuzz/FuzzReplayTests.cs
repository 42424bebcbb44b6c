using SenderAuth.Dns;
using SenderAuth.Fuzz;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Fuzz;

/// <summary>
/// Replays every kept fuzz input (the seed corpus fuzz/corpus/TARGET and the inputs that once broke a target,
/// fuzz/regressions/TARGET) through the same contract code the fuzzer runs (fuzz/SenderAuth.Fuzz/Contract, compiled in
/// here): only the documented error type, allocations and time linear in the input. A crash found by `fuzz/run`
/// becomes a regression input and so a case of this test.
/// </summary>
[Trait("Layer", "engine")]
public class FuzzReplayTests
{
    private static string FuzzDir => Path.Combine(PeerTool.RepoRoot, "fuzz");

    public static IEnumerable<TheoryDataRow<string>> Inputs()
    {
        foreach (var kind in new[] { "corpus", "regressions" })
        {
            foreach (var dir in Directory.EnumerateDirectories(Path.Combine(FuzzDir, kind)).Order(StringComparer.Ordinal))
            {
                foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                {
                    var key = $"{kind}/{Path.GetFileName(dir)}/{Path.GetFileName(file)}";
                    yield return new TheoryDataRow<string>(key) { TestDisplayName = $"fuzz replay: {key}" };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_KeepsTargetContract(string key)
    {
        var parts = key.Split('/');
        var target = FuzzTargets.All[parts[1]];
        var input = File.ReadAllBytes(Path.Combine(FuzzDir, key));
        try
        {
            FuzzContract.Check(target, input);
        }
        catch (FuzzContractException e) when (parts[0] == "regressions" && KnownBug(parts[1], parts[2], e.Message) is { } why)
        {
            // Only the inputs fuzz/known-bugs.tsv names, and only while they still fail exactly as it says: the fix
            // is on another branch, and once merged these inputs pass here like every other.
            Assert.Skip($"known bug, fixed on another branch: {why} ({e.Message})");
        }
    }

    [Fact]
    public void Targets_EachHasSeedCorpus_AndKeptInputsNameATarget()
    {
        var corpus = Directory.EnumerateDirectories(Path.Combine(FuzzDir, "corpus")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FuzzTargets.All.Keys.Order(StringComparer.Ordinal), corpus);
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(FuzzDir, "regressions")))
        {
            Assert.Contains(Path.GetFileName(dir), FuzzTargets.All.Keys);
        }
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(FuzzDir, "corpus")))
        {
            Assert.NotEmpty(Directory.EnumerateFiles(dir));
        }
        foreach (var (target, file, _, _) in KnownBugs())
        {
            Assert.True(File.Exists(Path.Combine(FuzzDir, "regressions", target, file)), $"fuzz/known-bugs.tsv names a missing input {target}/{file}");
        }
    }

    [Theory]
    [InlineData("rfc8463-a3.eml", 2, 0)]
    [InlineData("rfc8463-vt-from-above.eml", 0, 2)]
    [InlineData("rfc8463-bare-cr-chain.eml", 0, 2)]
    public async Task DkimVerifySeeds_ReachTheSignatureCheck(string file, int passes, int ambiguous)
    {
        // The dkim-verify target fuzzes hashing and canonicalization only if its seeds verify against its fixed keys;
        // the smuggled variants are refused for their ambiguous header line, as the product refuses them.
        var message = SenderAuth.Mail.MailMessage.Parse(File.ReadAllBytes(Path.Combine(FuzzDir, "corpus", "dkim-verify", file)));
        var result = await DkimVerifyTargets.Verifier.VerifyAsync(message, TestContext.Current.CancellationToken);
        Assert.Equal(2, result.Signatures.Count);
        Assert.Equal(passes, result.Signatures.Count(s => s.Result == SenderAuth.Dkim.DkimResult.Pass));
        Assert.Equal(ambiguous, result.Signatures.Count(s => s.Ambiguity is not null));
    }

    [Fact]
    public void Check_UndocumentedException_IsAViolation()
    {
        var target = new FuzzTarget("probe", _ => throw new InvalidCastException("boom"), [typeof(FormatException)], FuzzBudget.Text);
        var e = Assert.Throws<FuzzContractException>(() => FuzzContract.Check(target, [1, 2, 3]));
        Assert.Equal("undocumented-exception", e.Kind);
        FuzzContract.Check(target with { Run = _ => throw new ZoneFileException(null, 1, 1, "bad") }, [1]);
    }

    [Fact]
    public void Check_AllocationAboveBound_IsAViolation()
    {
        var budget = new FuzzBudget(16, 1024, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var target = new FuzzTarget("probe", input => GC.KeepAlive(new byte[input.Length * 64]), [], budget);
        var e = Assert.Throws<FuzzContractException>(() => FuzzContract.Check(target, new byte[4096]));
        Assert.Equal("allocation-bound", e.Kind);
        FuzzContract.Check(target with { Run = input => GC.KeepAlive(new byte[input.Length * 8]) }, new byte[4096]);
    }

    private static string? KnownBug(string target, string file, string message) =>
        KnownBugs().Where(b => b.Target == target && b.File == file && message.Contains(b.Match, StringComparison.Ordinal))
            .Select(b => b.Why).FirstOrDefault();

    private static IEnumerable<(string Target, string File, string Match, string Why)> KnownBugs() =>
        File.ReadLines(Path.Combine(FuzzDir, "known-bugs.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(c => (c[0], c[1], c[2], c[3]));
}
