using System.Net;
using Microsoft.Playwright;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Reports;
using static Microsoft.Playwright.Assertions;

namespace SenderAuth.Tests.Dashboard;

/// <summary>
/// The dashboard in headless Chromium against a server on a real loopback port: an institution admin confined to
/// its institution; sign-in, CSRF and sign-out; DNSSEC status. The wizard and reports journeys are written here and
/// run against the shipped <c>./senderauth serve</c> (ShippedProductTests). Every page is scanned with axe-core and
/// saved as a screenshot.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "chromium")]
[Trait("Needs", "knot")]
[Trait("Needs", "unbound")]
public sealed class DashboardBrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static int _counter;

    [Fact]
    public async Task Domain_page_shows_the_DNSSEC_status_the_check_reads_from_a_validating_resolver()
    {
        // unbound in front of the signing Knot (tests/servers/unbound): secure.dnssec.test validates, bogus.dnssec.test does not.
        var validator = DashboardJourneys.Env("SENDERAUTH_TEST_VALIDATOR");
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Resolver:Servers:0"] = validator, ["SenderAuth:Resolver:Dnssec"] = validator }, kestrel: true);
        var code = $"dash{Interlocked.Increment(ref _counter)}d";
        await host.Client().CreateInstitution(code);
        var page = await chromium.NewPageAsync(host.ServerAddress);
        await DashboardJourneys.SignInAsync(page, ServerHost.OperatorKey, null);
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

        await DashboardJourneys.SignInAsync(page, key, null);
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
}
