using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// <c>senderauth.reports</c> tells aggregate reports from failure reports (<c>kind</c>: <c>aggregate</c>,
/// <c>failure</c>, a closed set) beside each one's outcome, as docs/metrics.md lists them.
/// </summary>
[Trait("Layer", "server")]
public sealed class ReportMetricsTests
{
    [Fact]
    public async Task ReportsCounter_AggregateAndFailureReports_CountedApartByKind()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "SenderAuth.Server" && instrument.Name == "senderauth.reports" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                map[t.Key] = t.Value;
            }
            lock (seen)
            {
                seen.Add($"{map["kind"]} {map["outcome"]}");
            }
        });
        listener.Start();

        var client = host.Client();
        var code = ServerFixture.NewCode("rmk");
        var domain = $"{code}.example";
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, domain);
        var mine = host.Client(await client.CreateInstitutionKey(code));
        var day = DateTime.UtcNow.Date.AddDays(-1);
        var xml = Encoding.UTF8.GetBytes(ReportXml.Build("google.com", $"agg-{code}", domain, day, [new("203.0.113.5", 2, true, true)]));
        var ruf = FailureReportImportTests.Sample(domain, "198.51.100.23", "m-" + code);

        Assert.Equal(HttpStatusCode.OK, (await ReportUploadTests.Upload(mine, "agg.xml", xml)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReportUploadTests.Upload(mine, "ruf.eml", ruf)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReportUploadTests.Upload(mine, "ruf-again.eml", ruf)).StatusCode);
        // A failure report about a domain that is not the institution's: refused, and counted as a failure report.
        await ReportUploadTests.Upload(mine, "ruf-foreign.eml", FailureReportImportTests.Sample($"not-{code}.example", "198.51.100.23", "f-" + code));

        lock (seen)
        {
            Assert.Equal(["aggregate imported", "failure imported", "failure duplicate", "failure rejected"], seen);
            Assert.All(seen, s => Assert.Contains(s.Split(' ')[0], new[] { "aggregate", "failure" }));
        }
    }
}
