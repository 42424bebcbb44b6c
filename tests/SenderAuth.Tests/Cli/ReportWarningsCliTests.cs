using System.Text.Json;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Cli;

/// <summary>`senderauth report` and `report --db` print what was recovered, and `--json` carries it as {code, message, position}.</summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public sealed class ReportWarningsCliTests
{
    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "reports", "corpus", name);

    [Fact]
    public async Task Report_QuirkyFile_PrintsEachWarningAndJsonCarriesThem()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", Corpus("quirk-unescaped-lt.xml"));
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Contains("warning quirk-unescaped-lt.xml byte ", stdout, StringComparison.Ordinal);
        Assert.Contains(": unescaped-lt: '<' that starts no markup read as text", stdout, StringComparison.Ordinal);

        var (jsonExit, json, _) = await CliRunner.RunAsync(null, "report", "--json", Corpus("quirk-legacy-result-words.xml"), Corpus("google-zip-in-mail.eml"));
        Assert.Equal(0, jsonExit);
        var reports = JsonDocument.Parse(json).RootElement.GetProperty("reports");
        var codes = reports[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("code").GetString()).ToHashSet();
        Assert.Equal(["legacy-token", "token-case"], codes.Order());
        Assert.All(reports[0].GetProperty("warnings").EnumerateArray(), w => Assert.Matches("^[0-9]+:[0-9]+$", w.GetProperty("position").GetString()));
        Assert.Equal(JsonValueKind.Null, reports[1].GetProperty("warnings").ValueKind);
    }

    [Fact]
    public async Task ReportDb_QuirkyMail_ImportedWithWarningsInTableAndJson()
    {
        var data = Directory.CreateTempSubdirectory("sa-cli-warn-").FullName;
        try
        {
            await using (var host = await ServerHost.StartAsync("sqlite", dataDirectory: data))
            {
                await host.Client().CreateInstitution("corpus");
                await host.Client().CreateVerifiedDomain("corpus", "corpus.example");
            }
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, Corpus("mimecast-gzip-trailing-bytes.eml"));
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            Assert.Contains("Mimecast mc-corpus-0001", stdout, StringComparison.Ordinal);
            Assert.Contains("trailing-bytes-after-gzip", stdout, StringComparison.Ordinal);

            var (jsonExit, json, jsonErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, "--json", Corpus("quirk-mail-sniffed.eml"));
            Assert.True(jsonExit == 0, $"exit {jsonExit}: {jsonErr}");
            var report = JsonDocument.Parse(json).RootElement.GetProperty("files")[0].GetProperty("reports")[0];
            Assert.Equal("imported", report.GetProperty("status").GetString());
            var warning = Assert.Single(report.GetProperty("warnings").EnumerateArray());
            Assert.Equal(("attachment-sniffed", "attachment 1"), (warning.GetProperty("code").GetString(), warning.GetProperty("position").GetString()));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
