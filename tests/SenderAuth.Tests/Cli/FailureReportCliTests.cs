using System.Text.Json;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.Cli;

/// <summary>`senderauth report --db` imports a failure report mail (RFC 9991) and names its kind.</summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public sealed class FailureReportCliTests
{
    [Fact]
    public async Task Report_Db_FailureReportMail_IsImportedAsAFailureReport()
    {
        var data = Directory.CreateTempSubdirectory("sa-cli-ruf-").FullName;
        var files = Directory.CreateTempSubdirectory("sa-cli-ruf-files-").FullName;
        try
        {
            var code = ServerFixture.NewCode("cliruf");
            var domain = $"{code}.example";
            await using (var host = await ServerHost.StartAsync("sqlite", dataDirectory: data))
            {
                await host.Client().CreateInstitution(code);
                await host.Client().CreateVerifiedDomain(code, domain);
            }
            var file = Path.Combine(files, "ruf.eml");
            await File.WriteAllBytesAsync(file, FailureReportImportTests.Sample(domain, "198.51.100.23", "cli" + code), TestContext.Current.CancellationToken);

            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, "--json", file);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            var report = JsonDocument.Parse(stdout).RootElement.GetProperty("files")[0].GetProperty("reports")[0];
            Assert.Equal("failure", report.GetProperty("kind").GetString());
            Assert.Equal("imported", report.GetProperty("status").GetString());
            Assert.Equal(domain, report.GetProperty("domain").GetString());

            var (again, table, againErr) = await CliRunner.RunAsync(null, "report", "--db", "--data", data, file);
            Assert.True(again == 0, $"exit {again}: {againErr}");
            Assert.Contains("(failure report)", table, StringComparison.Ordinal);
            Assert.Contains("1 file(s): 0 report(s) imported, 1 duplicate", table, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(files, recursive: true);
        }
    }
}
