using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;

namespace SenderAuth.Tests.Dashboard;

/// <summary>The domain's reports page lists failure reports (RFC 9991), with what identifies the message and never its body.</summary>
public sealed partial class DashboardHttpTests
{
    [Fact]
    public async Task Reports_page_shows_an_uploaded_failure_report_in_its_table()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PostSignInAsync(client, ServerHost.OperatorKey, "/dashboard");
        var code = ServerFixture.NewCode("rufd");
        var domain = $"{code}.example";
        await host.Client().CreateInstitution(code);
        await host.Client().CreateVerifiedDomain(code, domain);
        var empty = await client.GetStringAsync($"/dashboard/institutions/{code}/domains/{domain}/reports");
        Assert.Contains("No failure report yet.", empty, StringComparison.Ordinal);
        // The advice's areas are an enum now: the headings and the copy target's id keep the contract's words.
        Assert.Contains("<h3>DMARC policy:", empty, StringComparison.Ordinal);
        Assert.Contains("<h3>SPF policy:", empty, StringComparison.Ordinal);
        Assert.Contains("id=\"advice-dmarc\"", empty, StringComparison.Ordinal);

        await (await ReportUploadTests.Upload(host.Client(), "ruf.eml", FailureReportImportTests.Sample(domain, "198.51.100.23", "dash")))
            .Json(HttpStatusCode.OK);
        var page = await client.GetStringAsync($"/dashboard/institutions/{code}/domains/{domain}/reports");
        var start = page.IndexOf("id=\"failure-reports-table\"", StringComparison.Ordinal);
        Assert.True(start > 0, "the Failure reports table is on the page");
        var table = WebUtility.HtmlDecode(page[start..page.IndexOf("</table>", start, StringComparison.Ordinal)]);
        Assert.Contains("<code>198.51.100.23</code>", table, StringComparison.Ordinal);
        Assert.Contains("dmarc-noreply@receiver.example", table, StringComparison.Ordinal);
        Assert.Contains($"{domain} / bounces+123@mailer.example.com", table, StringComparison.Ordinal);
        Assert.Contains("d=mailer.example.com s=s2023", table, StringComparison.Ordinal);
        Assert.Contains(">dmarc<", table, StringComparison.Ordinal);
        Assert.Contains("untrusted (uploaded)", table, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET BODY", page, StringComparison.Ordinal);
    }
}
