using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// The warnings of a recovered report travel with it: in the upload's answer, in the report list, on the dashboard's
/// reports page ("Imported with warnings"); a clean report has none, and an unrecoverable file is still quarantined.
/// </summary>
[Trait("Layer", "server")]
public sealed partial class ReportWarningsTests
{
    private static readonly DateTime Day = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Upload_QuirkyReport_WarningsInAnswerListAndDashboard_CleanHasNone_BrokenQuarantined()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        var code = ServerFixture.NewCode("rw");
        var domain = $"{code}.example";
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, domain);

        var quirky = ReportXml.Build("google.com", "quirky-1", domain, Day, [new("203.0.113.5", 7, true, true)])
            .Replace("<email>noreply@google.com</email>", "<email><bad-xml@google.com></email>", StringComparison.Ordinal);
        var answer = await (await ReportUploadTests.Upload(client, "quirky.xml", Encoding.UTF8.GetBytes(quirky))).Json(HttpStatusCode.OK);
        var report = answer["files"]![0]!["reports"]![0]!;
        Assert.Equal(("imported", 7L), (report["status"]!.GetValue<string>(), report["messages"]!.GetValue<long>()));
        var warning = Assert.Single(report["warnings"]!.AsArray())!;
        Assert.Equal("unescaped-lt", warning["code"]!.GetValue<string>());
        Assert.Matches("^byte [0-9]+$", warning["position"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(warning["message"]!.GetValue<string>()));

        var clean = await (await ReportUploadTests.Upload(client, "clean.xml",
            Encoding.UTF8.GetBytes(ReportXml.Build("google.com", "clean-1", domain, Day, [new("203.0.113.5", 3, true, true)])))).Json(HttpStatusCode.OK);
        Assert.Empty(clean["files"]![0]!["reports"]![0]!["warnings"]!.AsArray());

        var broken = "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY a \"x\">]>" + quirky[quirky.IndexOf("<feedback>", StringComparison.Ordinal)..];
        var refused = await (await ReportUploadTests.Upload(client, "broken.xml", Encoding.UTF8.GetBytes(broken))).Json(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("quarantined", refused["files"]![0]!["status"]!.GetValue<string>());
        Assert.StartsWith("dtd-prohibited:", refused["files"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        var list = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/reports", ct)).Json(HttpStatusCode.OK);
        var items = list["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        var listed = items.Single(i => i!["reportId"]!.GetValue<string>() == "quirky-1")!;
        Assert.Equal("unescaped-lt", Assert.Single(listed["warnings"]!.AsArray())!["code"]!.GetValue<string>());
        Assert.Empty(items.Single(i => i!["reportId"]!.GetValue<string>() == "clean-1")!["warnings"]!.AsArray());

        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await browser.GetStringAsync("/dashboard/signin", ct);
        var signIn = await browser.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = CsrfField().Match(form).Groups[1].Value, ["key"] = ServerHost.OperatorKey, ["returnUrl"] = "/dashboard",
        }), ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var page = await browser.GetStringAsync($"/dashboard/institutions/{code}/domains/{domain}/reports?from=2026-09-30&to=2026-10-02", ct);
        var section = page[page.IndexOf("id=\"report-warnings\"", StringComparison.Ordinal)..];
        Assert.Contains("Imported with warnings", section, StringComparison.Ordinal);
        Assert.Contains("1 report(s) in this window were imported with warnings", section, StringComparison.Ordinal);
        Assert.Contains("<code>unescaped-lt</code>", section, StringComparison.Ordinal);
        Assert.Contains("quirky-1", section, StringComparison.Ordinal);
        Assert.DoesNotContain("clean-1", section[..section.IndexOf("</section>", StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
