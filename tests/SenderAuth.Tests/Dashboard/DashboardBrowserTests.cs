using System.Net;
using Microsoft.Playwright;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;
using static Microsoft.Playwright.Assertions;

namespace SenderAuth.Tests.Dashboard;

/// <summary>
/// The dashboard in headless Chromium against a server on a real loopback port: the onboarding wizard taking a
/// domain from pending to verified against the test Knot, signing switched on; an institution admin confined to
/// its institution; sign-in, CSRF and sign-out. Every page is scanned with axe-core and saved as a screenshot.
/// </summary>
public sealed class DashboardBrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static int _counter;

    [Fact]
    public async Task Wizard_onboards_a_domain_from_pending_to_verified_against_Knot_and_enables_signing()
    {
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var page = await chromium.NewPageAsync(host.ServerAddress);
        var code = $"dash{Interlocked.Increment(ref _counter)}w";
        var domain = $"{code}.{institutionZone}";

        await SignInAsync(page, ServerHost.OperatorKey, "signin");
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
        await Expect(page).ToHaveURLAsync($"{host.ServerAddress}/dashboard/institutions/{code}/domains/{domain}/setup?notice=created");
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
        await Expect(page).ToHaveURLAsync($"{host.ServerAddress}/dashboard/institutions/{code}/domains/{domain}?notice=signing-on");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signing is on");
        await Expect(page.Locator("#signing-h + p")).ToContainTextAsync("Signing is on");
        await Expect(page.Locator("#rotation-h ~ dl")).ToContainTextAsync("stxsel1");
        await Expect(page.Locator("#rotation-h ~ dl")).ToContainTextAsync("scheduled rotation at");
        await Expect(page.Locator("#history-h ~ ul")).ToContainTextAsync("pending → verified");
        await Chromium.CheckPageAsync(page, "domain");

        // The API agrees: the dashboard changed the same rows through the same services.
        var api = await (await host.Client().GetAsync($"/api/v1/institutions/{code}/domains/{domain}")).Json(HttpStatusCode.OK);
        Assert.Equal("verified", api["state"]!.GetValue<string>());
        Assert.True(api["signingEnabled"]!.GetValue<bool>());
        var audit = await (await host.Client().GetAsync("/api/v1/audit")).Json(HttpStatusCode.OK);
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

    [Fact]
    public async Task Reports_page_charts_volume_and_pass_rate_and_lists_sources_findings_and_the_next_step()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var code = $"dash{Interlocked.Increment(ref _counter)}r";
        var domain = $"{code}.example";
        var client = host.Client();
        await client.CreateInstitution(code);
        await client.CreateDomain(code, domain);
        // Three days of reports: our platform (the default sending network 203.0.113.0/24) passing, a stranger failing.
        for (var day = 3; day >= 1; day--)
        {
            var xml = ReportXml.Build("google.com", $"{code}-{day}", domain, DateTime.UtcNow.Date.AddDays(-day),
                [new("203.0.113.5", 40, true, true, domain, "stxsel1", true, domain, true), new("198.51.100.7", 5, false, false, SpfDomain: "spoofer.example")]);
            await (await ReportUploadTests.Upload(client, $"google-{day}.xml", System.Text.Encoding.UTF8.GetBytes(xml))).Json(HttpStatusCode.OK);
        }
        var page = await chromium.NewPageAsync(host.ServerAddress);
        await SignInAsync(page, ServerHost.OperatorKey, null);
        await page.GotoAsync($"/dashboard/institutions/{code}/domains/{domain}");
        await page.GetByRole(AriaRole.Link, new() { Name = "DMARC reports: volume, pass rate, sources and the next policy step" }).ClickAsync();

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

    [Fact]
    public async Task Domain_page_shows_the_DNSSEC_status_the_check_reads_from_a_validating_resolver()
    {
        // unbound in front of the signing Knot (tests/servers/unbound): secure.dnssec.test validates, bogus.dnssec.test does not.
        var validator = Env("SENDERAUTH_TEST_VALIDATOR");
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Resolver:Servers:0"] = validator, ["SenderAuth:Resolver:Dnssec"] = validator }, kestrel: true);
        var code = $"dash{Interlocked.Increment(ref _counter)}d";
        await host.Client().CreateInstitution(code);
        var page = await chromium.NewPageAsync(host.ServerAddress);
        await SignInAsync(page, ServerHost.OperatorKey, null);
        foreach (var (domain, status) in new[] { ("secure.dnssec.test", "secure"), ("bogus.dnssec.test", "bogus") })
        {
            await host.Client().CreateDomain(code, domain);
            await page.GotoAsync($"/dashboard/institutions/{code}/domains/{domain}");
            await Expect(page.Locator("#dnssec-status")).ToHaveTextAsync("not checked yet");
            await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
            await Expect(page.Locator("#dnssec-status")).ToHaveTextAsync(status);
            await Expect(page.Locator("#dnssec-h ~ ul")).ToContainTextAsync(domain);
            await Chromium.CheckPageAsync(page, $"domain-dnssec-{status}");
        }
    }

    [Fact]
    public async Task Institution_admin_sees_only_its_institution_and_another_institutions_pages_are_404()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var n = Interlocked.Increment(ref _counter);
        var (own, other) = ($"dash{n}a", $"dash{n}b");
        var client = host.Client();
        await client.CreateInstitution(own);
        await client.CreateInstitution(other);
        await client.CreateDomain(own, $"{own}.example");
        await client.CreateDomain(other, $"{other}.example");
        var key = await client.CreateInstitutionKey(own);
        var page = await chromium.NewPageAsync(host.ServerAddress);

        await SignInAsync(page, key, null);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your domains" })).ToBeVisibleAsync();
        await Expect(page.Locator("table.domains")).ToContainTextAsync($"{own}.example");
        await Expect(page.Locator("main")).Not.ToContainTextAsync($"{other}.example");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(other);
        await Chromium.CheckPageAsync(page, "admin-overview");

        var mine = await page.GotoAsync($"/dashboard/institutions/{own}/domains/{own}.example");
        Assert.Equal(200, mine!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{own}.example", Exact = true })).ToBeVisibleAsync();

        foreach (var url in new[] { $"/dashboard/institutions/{other}/domains/{other}.example", $"/dashboard/institutions/{other}",
                     $"/dashboard/institutions/{other}/domains/{other}.example/setup", $"/dashboard/institutions/{other}/domains/{other}.example/reports",
                     $"/dashboard/institutions/{own}/domains/{other}.example" })
        {
            var response = await page.GotoAsync(url);
            Assert.True(response!.Status == 404, $"{url}: {response.Status}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            await Expect(page.Locator("main")).Not.ToContainTextAsync($"{other}.example");
        }
        await Chromium.CheckPageAsync(page, "not-found");

        // A form posted to the other institution's domain by hand (with a valid token) is refused the same way.
        await page.GotoAsync($"/dashboard/institutions/{own}/domains/{own}.example");
        var token = await page.Locator("input[name=__csrf]").First.InputValueAsync();
        var post = await page.APIRequest.PostAsync($"/dashboard/institutions/{other}/domains/{other}.example?handler=Signing",
            new() { Form = page.APIRequest.CreateFormData().Set("__csrf", token).Set("enabled", "true") });
        Assert.Equal(404, post.Status);
        var otherDomain = await (await client.GetAsync($"/api/v1/institutions/{other}/domains/{other}.example")).Json(HttpStatusCode.OK);
        Assert.Null(otherDomain["lastCheckedAt"]);
    }

    [Fact]
    public async Task Sign_in_needs_a_valid_key_posts_need_the_antiforgery_token_and_sign_out_ends_the_session()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var page = await chromium.NewPageAsync(host.ServerAddress);
        var code = $"dash{Interlocked.Increment(ref _counter)}s";
        await host.Client().CreateInstitution(code);
        await host.Client().CreateDomain(code, $"{code}.example");

        // Signed out, a page leads to sign-in and back.
        await page.GotoAsync($"/dashboard/institutions/{code}");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/signin\\?ReturnUrl="));
        await page.GetByLabel("API key").FillAsync("sa_not-a-key-at-all-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");
        await Chromium.CheckPageAsync(page, "signin-error");
        await page.GetByLabel("API key").FillAsync(ServerHost.OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{host.ServerAddress}/dashboard/institutions/{code}");
        await Chromium.CheckPageAsync(page, "institution");

        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "senderauth_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/dashboard", session.Path);

        // A POST without the antiforgery token (another site's form) is refused and changes nothing.
        var forged = await page.APIRequest.PostAsync($"/dashboard/institutions/{code}/domains/{code}.example?handler=Check",
            new() { Form = page.APIRequest.CreateFormData().Set("x", "1") });
        Assert.Equal(400, forged.Status);
        var domain = await (await host.Client().GetAsync($"/api/v1/institutions/{code}/domains/{code}.example")).Json(HttpStatusCode.OK);
        Assert.Null(domain["lastCheckedAt"]);
        // The session cookie does not authorize the API: it still wants the Authorization header.
        var api = await page.APIRequest.GetAsync("/api/v1/institutions");
        Assert.Equal(401, api.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/signin$"));
        await page.GotoAsync("/dashboard");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/signin\\?ReturnUrl="));
    }

    private static async Task SignInAsync(IPage page, string key, string? screenshot)
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

    private static string Env(string name)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
        {
            return value;
        }
        Assert.Skip($"{name} is unset (the test Knot is not running): run ./run-tests");
        return "";
    }
}
