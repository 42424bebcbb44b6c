using System.Text.Json;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Check;

/// <summary><c>senderauth check</c> as a process, answering from the fixture zones concatenated into one --zone file.</summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public sealed class CheckCliTests : IDisposable
{
    private readonly string _zone = Path.Combine(Path.GetTempPath(), $"sa-check-{Guid.NewGuid():N}.zone");

    public CheckCliTests() =>
        File.WriteAllText(_zone, string.Join('\n', Directory.GetFiles(CheckFixtures.ZoneFolder, "*example.zone").Order(StringComparer.Ordinal).Select(File.ReadAllText)));

    public void Dispose() => File.Delete(_zone);

    private Task<(int Exit, string Out, string Err)> Check(params string[] args) =>
        CliRunner.RunAsync(null, ["check", .. args, "--zone", _zone]);

    private static string Profile => CheckFixtures.ProfilePath(CheckFixtures.Profile);

    [Fact]
    public async Task Check_Good_Exit0WithOkVerdictLines()
    {
        var (exit, stdout, stderr) = await Check("good.example", "--profile", Profile, "--code", "mosa");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("good.example  (institution mosa)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+spf\s+ok\s", stdout);
        Assert.Matches(@"(?m)^\s+dkim\s+ok\s", stdout);
        Assert.Matches(@"(?m)^\s+dmarc\s+ok\s", stdout);
        Assert.Matches(@"(?m)^\s+mail-from\s+ok\s+as expected", stdout);
        Assert.DoesNotContain("Publish these records", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Diagnosis_Exit1WithVerdictTableAndRecordToPaste()
    {
        var (exit, stdout, _) = await Check("twice.example", "--profile", Profile, "--code", "mosa");
        Assert.Equal(1, exit);
        Assert.Matches(@"(?m)^\s+dkim\s+error\s+the record was created as stxsel1\._domainkey\.twice\.example\.twice\.example", stdout);
        Assert.Contains("dkim-zone-appended-twice", stdout, StringComparison.Ordinal);
        Assert.Contains("Publish these records", stdout, StringComparison.Ordinal);
        Assert.Contains("stxsel1._domainkey.twice.example. 3600 IN CNAME sel1-mosa._domainkey.dkim.ticketing.example.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Json_FieldsOfReportFindingsAndRecords()
    {
        var (exit, stdout, _) = await Check("noinclude.example", "--profile", Profile, "--code", "mosa", "--json");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("noinclude.example", root.GetProperty("domain").GetString());
        Assert.Equal("mosa", root.GetProperty("code").GetString());
        Assert.Equal("error", root.GetProperty("verdict").GetProperty("spf").GetString());
        Assert.Equal("ok", root.GetProperty("verdict").GetProperty("dkim").GetString());
        Assert.Equal("ok", root.GetProperty("verdict").GetProperty("mail-from").GetString());
        var f = root.GetProperty("findings").EnumerateArray().First(x => x.GetProperty("code").GetString() == "spf-include-missing");
        Assert.Equal("spf", f.GetProperty("area").GetString());
        Assert.Equal("error", f.GetProperty("severity").GetString());
        Assert.Equal("noinclude.example", f.GetProperty("subject").GetString());
        Assert.Equal("v=spf1 ip4:198.51.100.0/24 -all", f.GetProperty("observed").GetString());
        Assert.Equal("v=spf1 ip4:198.51.100.0/24 include:spf.ticketing.example -all", f.GetProperty("expected").GetString());
        Assert.False(string.IsNullOrEmpty(f.GetProperty("message").GetString()));
        Assert.False(f.GetProperty("temporary").GetBoolean());
        var r = Assert.Single(root.GetProperty("records").EnumerateArray());
        Assert.Equal("TXT", r.GetProperty("type").GetString());
        Assert.Equal("noinclude.example. 3600 IN TXT \"v=spf1 ip4:198.51.100.0/24 include:spf.ticketing.example -all\"", r.GetProperty("zoneLine").GetString());
    }

    [Theory]
    [InlineData("good.example", "--code", "mosa", "--profile", "missing.json")]
    [InlineData("good.example", "--profile", "profile.json")]
    [InlineData("--code", "mosa", "--profile", "profile.json")]
    [InlineData("localhost", "--code", "mosa", "--profile", "profile.json")]
    [InlineData("good.example", "--code", "mosa")]
    public async Task Check_BadUsage_Exit2(params string[] args)
    {
        var resolved = args.Select(a => a.EndsWith(".json", StringComparison.Ordinal) ? CheckFixtures.ProfilePath(a) : a).ToArray();
        var (exit, _, stderr) = await Check(resolved);
        Assert.True(exit == 2, stderr);
    }

    [Fact]
    public async Task Check_BadProfile_Exit2NamingTheField()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sa-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "{ \"dkimZone\": \"d.example\", \"spfInclude\": \"s.example\", \"sendingIps\": [\"300.1.2.3/8\"], \"selectors\": [ {\"name\": \"a\", \"target\": \"b\"} ] }", TestContext.Current.CancellationToken);
        try
        {
            var (exit, _, stderr) = await Check("good.example", "--profile", path);
            Assert.Equal(2, exit);
            Assert.Contains("300.1.2.3/8", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Check_Bulk_JsonLinesInOrderAndSummary()
    {
        var list = Path.Combine(Path.GetTempPath(), $"sa-domains-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(list, "good.example\nnested.example mosa\nbounceok.example\n", TestContext.Current.CancellationToken);
        try
        {
            var (exit, stdout, stderr) = await Check("--domains", list, "--code", "mosa", "--profile", Profile, "--concurrency", "2");
            Assert.True(exit == 0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["good.example", "nested.example", "bounceok.example"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("domain").GetString()));
            Assert.Contains("checked 3 domains: 0 with errors", stderr, StringComparison.Ordinal);
            var (bad, _, _) = await Check("--domains", list, "--code", "mosa", "--profile", Profile, "--concurrency", "0");
            Assert.Equal(2, bad);
        }
        finally
        {
            File.Delete(list);
        }
    }
}
