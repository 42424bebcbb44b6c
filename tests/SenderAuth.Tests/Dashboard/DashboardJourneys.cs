using System.Net;
using Microsoft.Playwright;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;
using static Microsoft.Playwright.Assertions;

namespace SenderAuth.Tests.Dashboard;

/// <summary>
/// Whole dashboard journeys a person takes, written once against any server address: run against the shipped
/// <c>./senderauth serve</c> by ShippedProductTests, so the proof is the program users start.
/// </summary>
public static class DashboardJourneys
{
    private static int _counter;

    /// <summary>
    /// The onboarding wizard taking a domain from pending to verified against the test Knot, signing switched on.
    /// Run against the shipped process (ShippedProductTests), whose resolver reads the test Knot.
    /// </summary>
    public static async Task WizardJourneyAsync(Chromium chromium, string address, string operatorKey, HttpClient api)
    {
        ArgumentNullException.ThrowIfNull(chromium);
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        var page = await chromium.NewPageAsync(address);
        var code = $"dash{Interlocked.Increment(ref _counter)}w";
        var domain = $"{code}.{institutionZone}";

        await SignInAsync(page, operatorKey, "signin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All institutions and domains" })).ToBeVisibleAsync();
        await Chromium.CheckPageAsync(page, "overview-empty");

        // Step 1: a new institution and its domain.
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a domain" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/onboard$"));
        await Chromium.CheckPageAsync(page, "onboard");
        await page.GetByLabel("Institution code").FillAsync(code);
        await page.GetByLabel("Institution name").FillAsync("Museum of the Dashboard");
        await page.GetByLabel("Sender domain").FillAsync(domain);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register and show the records" }).ClickAsync();

        // Step 2: the records to publish, each with a copy button that works.
        await Expect(page).ToHaveURLAsync($"{address}/dashboard/institutions/{code}/domains/{domain}/setup?notice=created");
        await Expect(page.Locator("ol.records > li")).ToHaveCountAsync(4);
        await Expect(page.Locator("ol.records")).ToContainTextAsync($"stxsel1._domainkey.{domain}");
        var firstValue = (await page.Locator("#rec1-value").TextContentAsync())!.Trim();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy value of record 1" }).ClickAsync();
        // The page announces "Copied" once the (asynchronous) clipboard write has finished.
        await Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied");
        Assert.Equal(firstValue, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Chromium.CheckPageAsync(page, "setup-records");

        // Step 3: checked before publishing, the domain stays pending and every record is "missing or wrong".
        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.Locator("#domain-state")).ToHaveTextAsync("pending");
        await Expect(page.Locator("ol.records .rec-wrong").First).ToBeVisibleAsync();
        await Expect(page.Locator("ol.records").GetByText("Observed").First).ToBeVisibleAsync();
        await Chromium.CheckPageAsync(page, "setup-pending");

        // The institution's DNS host publishes what the page shows (the zone fragment a user would copy).
        var fragment = await page.Locator("#zone-fragment").TextContentAsync();
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, fragment!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.Locator("#domain-state")).ToHaveTextAsync("verified");
        await Expect(page.Locator("#check-outcome")).ToHaveTextAsync("every record is right");
        await Expect(page.Locator("ol.records .rec-wrong")).ToHaveCountAsync(0);
        await Chromium.CheckPageAsync(page, "setup-verified");

        // Step 4: signing on; the domain page shows it with the signing selector and the rotation plan.
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn signing on" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{address}/dashboard/institutions/{code}/domains/{domain}?notice=signing-on");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signing is on");
        await Expect(page.Locator("#signing-h + p")).ToContainTextAsync("Signing is on");
        await Expect(page.Locator("#rotation-h ~ dl")).ToContainTextAsync("stxsel1");
        await Expect(page.Locator("#rotation-h ~ dl")).ToContainTextAsync("scheduled rotation at");
        await Expect(page.Locator("#history-h ~ ul")).ToContainTextAsync("pending → verified");
        await Chromium.CheckPageAsync(page, "domain");

        // The API agrees: the dashboard changed the same rows through the same services.
        var state = await (await api.GetAsync($"/api/v1/institutions/{code}/domains/{domain}")).Json(HttpStatusCode.OK);
        Assert.Equal("verified", state["state"]!.GetValue<string>());
        Assert.True(state["signingEnabled"]!.GetValue<bool>());
        var audit = await (await api.GetAsync("/api/v1/audit")).Json(HttpStatusCode.OK);
        Assert.Contains(audit["items"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "signing.enable" && a["actor"]!.GetValue<string>().StartsWith("operator:", StringComparison.Ordinal));

        // The overview lists it as verified; at phone width the page does not scroll sideways.
        await page.GotoAsync("/dashboard");
        var row = page.Locator("table.domains tbody tr", new() { HasText = domain });
        await Expect(row.Locator(".badge").First).ToHaveTextAsync("verified");
        await Chromium.CheckPageAsync(page, "overview");
        await page.SetViewportSizeAsync(360, 740);
        foreach (var (url, name) in new[] { ("/dashboard", "phone-overview"), ($"/dashboard/institutions/{code}/domains/{domain}", "phone-domain") })
        {
            await page.GotoAsync(url);
            // What sticks out, for the failure message: elements and text runs past the right edge.
            var wide = await page.EvaluateAsync<string[]>(@"() => {
                const out = [document.documentElement.scrollWidth + ' > ' + window.innerWidth];
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n && out.length < 6; n = walker.nextNode()) {
                    const r = document.createRange(); r.selectNodeContents(n);
                    const box = r.getBoundingClientRect();
                    if (box.width > 0 && box.right > window.innerWidth + 1) out.push(n.parentElement.tagName + '.' + n.parentElement.className + ' ' + Math.round(box.right) + ' ' + n.textContent.trim().slice(0, 50));
                }
                return out; }");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{url} scrolls sideways at 360 px: {string.Join(" | ", wide)}");
            await Chromium.CheckPageAsync(page, name);
        }
    }

    /// <summary>
    /// Reports uploaded through the API; the reports page shows them as untrusted and, asked to count them, charts
    /// volume and pass rate and lists sources, findings and the next policy step. Run against the shipped process (ShippedProductTests).
    /// </summary>
    public static async Task ReportsJourneyAsync(Chromium chromium, string address, string operatorKey, HttpClient api)
    {
        ArgumentNullException.ThrowIfNull(chromium);
        var code = $"dash{Interlocked.Increment(ref _counter)}r";
        var domain = $"{code}.example";
        var client = api;
        await client.CreateInstitution(code);
        await client.CreateVerifiedDomain(code, domain);
        // Three days of reports: our platform (the default sending network 203.0.113.0/24) passing, a stranger failing.
        for (var day = 3; day >= 1; day--)
        {
            var xml = ReportXml.Build("google.com", $"{code}-{day}", domain, DateTime.UtcNow.Date.AddDays(-day),
                [new("203.0.113.5", 40, true, true, domain, "stxsel1", true, domain, true), new("198.51.100.7", 5, false, false, SpfDomain: "spoofer.example")]);
            await (await ReportUploadTests.Upload(client, $"google-{day}.xml", System.Text.Encoding.UTF8.GetBytes(xml))).Json(HttpStatusCode.OK);
        }
        var page = await chromium.NewPageAsync(address);
        await SignInAsync(page, operatorKey, null);
        await page.GotoAsync($"/dashboard/institutions/{code}/domains/{domain}");
        await page.GetByRole(AriaRole.Link, new() { Name = "DMARC reports: volume, pass rate, sources and the next policy step" }).ClickAsync();
        // Uploaded reports are untrusted: listed as such, counted only when asked.
        await Expect(page.Locator("#untrusted")).ToContainTextAsync("untrusted (uploaded)");
        await Expect(page.Locator("#no-reports")).ToContainTextAsync("No trusted report");
        await page.GetByRole(AriaRole.Link, new() { Name = "Count them too" }).ClickAsync();

        await Expect(page.Locator("#report-total")).ToContainTextAsync("135 messages reported over 3 day(s), 88.9 % passing DMARC");
        await page.WaitForFunctionAsync("() => window.Chart && Chart.getChart('volume-chart') && Chart.getChart('rate-chart')");
        Assert.Equal(new[] { 40, 40, 40 }, await page.EvaluateAsync<int[]>("() => Chart.getChart('volume-chart').data.datasets[0].data"));
        Assert.Equal(new[] { 5, 5, 5 }, await page.EvaluateAsync<int[]>("() => Chart.getChart('volume-chart').data.datasets[1].data"));
        Assert.Equal(new[] { 88.89, 88.89, 88.89 }, await page.EvaluateAsync<double[]>("() => Chart.getChart('rate-chart').data.datasets[0].data"));
        await Expect(page.Locator("#summary-table tbody tr")).ToHaveCountAsync(3);
        var platform = page.Locator("#sources-table tbody tr", new() { HasText = "203.0.113.5" });
        await Expect(platform).ToContainTextAsync("our platform");
        await Expect(page.Locator("#sources-table tbody tr", new() { HasText = "198.51.100.7" })).ToContainTextAsync("unknown");
        await Expect(page.Locator("#report-findings li").First).ToBeVisibleAsync();
        await Expect(page.Locator("#advice")).ToContainTextAsync("DMARC policy");
        await Expect(page.Locator("#advice code.value").First).ToContainTextAsync("v=DMARC1");
        await Chromium.CheckPageAsync(page, "reports");

        // Per week, then at phone width.
        await page.GetByLabel("Per", new() { Exact = true }).SelectOptionAsync("week");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("period=week"));
        await page.SetViewportSizeAsync(360, 740);
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => window.Chart && Chart.getChart('volume-chart')");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the reports page scrolls sideways at 360 px");
        await Chromium.CheckPageAsync(page, "phone-reports");
    }

    internal static async Task SignInAsync(IPage page, string key, string? screenshot)
    {
        await page.GotoAsync("/dashboard");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        if (screenshot is not null)
        {
            await Chromium.CheckPageAsync(page, screenshot);
        }
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard$"));
    }

    internal static string Env(string name)
    {
        if (TestServers.Get(name) is { Length: > 0 } value)
        {
            return value;
        }
        Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        return "";
    }
}
