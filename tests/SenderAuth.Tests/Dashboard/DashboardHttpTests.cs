using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using SenderAuth.Server.Hosting;
using SenderAuth.Server.Http;
using SenderAuth.Store.Hosting;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Dashboard;

/// <summary>The dashboard's HTTP surface without a browser: redirects, headers, sign-in rules, the switch and its options.</summary>
[Trait("Layer", "server")]
public sealed partial class DashboardHttpTests
{
    [Fact]
    public async Task Signed_out_pages_lead_to_sign_in_and_every_response_carries_the_security_headers()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/dashboard", root.Headers.Location!.OriginalString);
        var overview = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, overview.StatusCode);
        Assert.Equal("/dashboard/signin?ReturnUrl=%2Fdashboard", overview.Headers.Location!.PathAndQuery);

        var signIn = await client.GetAsync("/dashboard/signin");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var csp = signIn.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", signIn.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", signIn.Headers.GetValues("X-Content-Type-Options").Single());

        foreach (var (asset, type) in new[] { ("dashboard.css", "text/css"), ("dashboard.js", "text/javascript"), ("reports.js", "text/javascript"), ("chart.umd.min.js", "text/javascript") })
        {
            var response = await client.GetAsync($"/dashboard/assets/{asset}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
        }
        var missing = await client.GetAsync("/dashboard/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("<h1>Not found</h1>", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_refuses_an_unknown_key_and_never_redirects_off_the_dashboard()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var refused = await PostSignInAsync(client, "sa_unknown-key-0123456789abcdef", "/dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("That key is not valid", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var offsite = await PostSignInAsync(client, ServerHost.OperatorKey, "https://attacker.example/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, offsite.StatusCode);
        Assert.Equal("/dashboard", offsite.Headers.Location!.OriginalString);
        var cookie = offsite.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("senderauth_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);

        var back = await PostSignInAsync(client, ServerHost.OperatorKey, "/dashboard/onboard");
        Assert.Equal("/dashboard/onboard", back.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Switched_off_the_dashboard_is_404_and_the_API_is_unchanged()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Dashboard:Enabled"] = "false" });
        using var anonymous = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/dashboard/signin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client().GetAsync("/api/v1/institutions")).StatusCode);
    }

    [Fact]
    public async Task Onboarding_marks_the_input_an_invalid_field_error_is_about()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PostSignInAsync(client, ServerHost.OperatorKey, "/dashboard");
        var code = ServerFixture.NewCode("wiz");
        await host.Client().CreateInstitution(code);

        // A bad domain is the API's field "name" of a domain: on this form it is the domain input, not the institution name.
        var badDomain = await PostOnboardAsync(client, code, "", "not a domain");
        Assert.Equal(HttpStatusCode.BadRequest, badDomain.StatusCode);
        var page = await badDomain.Content.ReadAsStringAsync();
        Assert.Contains("id=\"onboard-error\"", page, StringComparison.Ordinal);
        Assert.Equal("true", AriaInvalid(page, "domain"));
        Assert.Equal("false", AriaInvalid(page, "name"));
        Assert.Equal("false", AriaInvalid(page, "institution"));

        // A new institution's code is the API's field "code": the institution input here.
        var badCode = await PostOnboardAsync(client, "Not A Code", "Museum", $"{code}.example");
        Assert.Equal(HttpStatusCode.BadRequest, badCode.StatusCode);
        page = await badCode.Content.ReadAsStringAsync();
        Assert.Equal("true", AriaInvalid(page, "institution"));
        Assert.Equal("false", AriaInvalid(page, "domain"));

        // A conflict answers with the API's status, and the domain it is about is marked too.
        await host.Client().CreateDomain(code, $"{code}.example");
        var taken = await PostOnboardAsync(client, code, "", $"{code}.example");
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        page = await taken.Content.ReadAsStringAsync();
        Assert.Contains("is already registered", page, StringComparison.Ordinal);
        Assert.Equal("true", AriaInvalid(page, "domain"));
    }

    [Fact]
    public async Task Sign_in_refusals_answer_the_APIs_status_for_the_same_typed_error()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var op = host.Client();
        var code = ServerFixture.NewCode("signst");
        await op.CreateInstitution(code);
        var signOnly = await op.CreateInstitutionKey(code, "sign");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // No caller: the API's 401 for an unknown key, and the page says why.
        var unknown = await PostSignInAsync(client, "sa_unknown-key-0123456789abcdef", "/dashboard");
        Assert.Equal(ErrorResponses.Status(new ServiceError.Unauthenticated("")), (int)unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        // A known key that may not do this: the API's 403 for the same key on a read.
        var refused = await PostSignInAsync(client, signOnly, "/dashboard");
        var api = await host.Client(signOnly).GetAsync($"/api/v1/institutions/{code}");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal(api.StatusCode, refused.StatusCode);
        Assert.Contains("may only sign messages", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Set-Cookie") && refused.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("senderauth_session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_only_session_is_refused_changes_on_the_status_page_with_the_APIs_reason()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var op = host.Client();
        var code = ServerFixture.NewCode("roview");
        await op.CreateInstitution(code);
        await op.CreateDomain(code, $"{code}.example");
        var readKey = await op.CreateInstitutionKey(code, "read");
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await PostSignInAsync(client, readKey, "/dashboard")).StatusCode);
        // The API's answer to the same key asking for the same change: the typed refusal the dashboard must repeat.
        var api = await (await host.Client(readKey).PostAsync($"/api/v1/institutions/{code}/domains/{code}.example/check", null)).Json(HttpStatusCode.Forbidden);
        var reason = WebUtility.HtmlEncode(api["detail"]!.GetValue<string>());
        Assert.Contains("manage-domains", reason, StringComparison.Ordinal);

        var onboard = await client.GetAsync("/dashboard/onboard");
        Assert.Equal(HttpStatusCode.Forbidden, onboard.StatusCode);
        var page = await onboard.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Not allowed</h1>", page, StringComparison.Ordinal);
        Assert.Contains(reason, page, StringComparison.Ordinal);

        var domainPage = $"/dashboard/institutions/{code}/domains/{code}.example";
        var form = await client.GetStringAsync(domainPage);
        var check = await client.PostAsync($"{domainPage}?handler=Check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = CsrfField().Match(form).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, check.StatusCode);
        page = await check.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Not allowed</h1>", page, StringComparison.Ordinal);
        Assert.Contains(reason, page, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostOnboardAsync(HttpClient client, string institution, string name, string domain)
    {
        var form = await client.GetStringAsync("/dashboard/onboard");
        return await client.PostAsync("/dashboard/onboard", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = CsrfField().Match(form).Groups[1].Value,
            ["institution"] = institution,
            ["name"] = name,
            ["domain"] = domain,
        }));
    }

    private static string AriaInvalid(string page, string id) =>
        Regex.Match(page, $"<input id=\"{id}\"[^>]*aria-invalid=\"(true|false)\"").Groups[1].Value;

    [Theory]
    [InlineData("SessionMinutes", 1)]
    [InlineData("PageSize", 1000)]
    public void Dashboard_options_out_of_range_are_refused_with_the_setting_named(string setting, int value)
    {
        var options = new ServerOptions();
        if (setting == "SessionMinutes")
        {
            options.Dashboard.SessionMinutes = value;
        }
        else
        {
            options.Dashboard.PageSize = value;
        }
        var result = OptionsCheck.Validate(options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith($"SenderAuth:Dashboard:{setting} must be between", StringComparison.Ordinal) && f.Contains($"(it is {value})", StringComparison.Ordinal));
        Assert.False(OptionsCheck.Validate(new ServerOptions()).Failures?.Any(f => f.Contains("Dashboard", StringComparison.Ordinal)) ?? false);
    }

    private static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string key, string returnUrl)
    {
        var form = await client.GetStringAsync("/dashboard/signin");
        var token = CsrfField().Match(form).Groups[1].Value;
        return await client.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = token,
            ["key"] = key,
            ["returnUrl"] = returnUrl,
        }));
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
