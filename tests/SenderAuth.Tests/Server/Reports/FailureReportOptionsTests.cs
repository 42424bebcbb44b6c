using System.Net;
using SenderAuth.Server.Hosting;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>The failure report parser's limits come from SenderAuth:Reports:Failure, checked at start.</summary>
[Trait("Layer", "server")]
public sealed class FailureReportOptionsTests
{
    [Fact]
    public void Options_FailureLimitsOutOfRange_AreRefusedAtStart()
    {
        var options = new ServerOptions();
        Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("Reports:Failure", StringComparison.Ordinal));
        options.Reports.Failure.MaxParts = 2;
        options.Reports.Failure.MaxMessageBytes = 10;
        var failures = string.Join("\n", OptionsCheck.Validate(options).Failures ?? []);
        Assert.Contains("SenderAuth:Reports:Failure:MaxParts must be between 3 and 10000", failures, StringComparison.Ordinal);
        Assert.Contains("SenderAuth:Reports:Failure:MaxMessageBytes", failures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_parts_limit_is_the_one_the_importer_applies()
    {
        // The RFC 9991 sample has four parts of its own (the report, its text, the ARF fields, the message): over 3.
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Reports:Failure:MaxParts"] = "3" });
        var client = host.Client();
        var code = ServerFixture.NewCode("rufopt");
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, $"{code}.example");
        var body = await (await ReportUploadTests.Upload(client, "ruf.eml", FailureReportImportTests.Sample($"{code}.example", "198.51.100.23", "opt-" + code)))
            .Json(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("limit-exceeded:", body["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("limit MaxParts", body["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
