using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Server.Access;
using SenderAuth.Server.Domains;
using SenderAuth.Store.Domains;

namespace SenderAuth.Tests.Server;

/// <summary>API-key scopes on every endpoint, soft delete with If-Match and retention, and the audit log's filters (test host).</summary>
[Trait("Layer", "server")]
public sealed partial class KeyScopeTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private ServerHost Host => fixture.Host;

    [Theory]
    [InlineData(ApiScope.Admin, ApiScope.Sign, true)]
    [InlineData(ApiScope.Admin, ApiScope.Admin, true)]
    [InlineData(ApiScope.ManageDomains, ApiScope.Read, true)]
    [InlineData(ApiScope.ManageDomains, ApiScope.Admin, false)]
    [InlineData(ApiScope.ManageDomains, ApiScope.Sign, false)]
    [InlineData(ApiScope.Read, ApiScope.ManageDomains, false)]
    [InlineData(ApiScope.Read, ApiScope.Sign, false)]
    [InlineData(ApiScope.Sign, ApiScope.Read, false)]
    [InlineData(ApiScope.Sign, ApiScope.Sign, true)]
    public void Grants_admin_all_manage_domains_read_sign_only_itself(ApiScope held, ApiScope needed, bool granted) =>
        Assert.Equal(granted, ApiScopes.Grants(held, needed));

    [Fact]
    public void Stored_scopes_read_back_and_unknown_words_grant_nothing()
    {
        Assert.Equal("sign read", ApiScopes.Store([ApiScope.Read, ApiScope.Sign, ApiScope.Read]));
        Assert.Equal([ApiScope.Sign, ApiScope.Read], ApiScopes.Load("read  sign"));
        Assert.Equal([ApiScope.Read], ApiScopes.Load("root read ADMIN"));
        Assert.Empty(ApiScopes.Load(null));
    }

    /// <summary>Keys issued before scopes existed keep working: the KeyScopes migration gives them admin.</summary>
    [Fact]
    public async Task Keys_from_before_scopes_are_migrated_to_admin()
    {
        var folder = Directory.CreateTempSubdirectory("sa-migrate-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<SenderAuth.Store.Data.SqliteSenderAuthDb>().UseSqlite($"Data Source={Path.Combine(folder, "old.db")};Pooling=False").Options;
            await using var db = new SenderAuth.Store.Data.SqliteSenderAuthDb(options);
            var migrator = db.GetService<IMigrator>();
            var before = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_KeyScopes", StringComparison.Ordinal)).Last();
            await migrator.MigrateAsync(before);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO ApiKeys (Name, Prefix, Hash, CreatedAt) VALUES ('old', 'sa_old', x'00', '2026-11-01 00:00:00')");
            await migrator.MigrateAsync();
            var key = await db.ApiKeys.SingleAsync(k => k.Name == "old");
            Assert.Equal([ApiScope.Admin], ApiScopes.Load(key.Scopes));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(0, 60, "SenderAuth:Retention:DeletedDays must be between 1 and 3650 (it is 0)")]
    [InlineData(30, 0, "SenderAuth:Retention:PurgeEveryMinutes must be between 1 and 1440 (it is 0)")]
    public void Retention_out_of_range_is_refused_with_the_setting_named(int days, int minutes, string problem)
    {
        var options = new SenderAuth.Server.Hosting.ServerOptions();
        options.Retention.DeletedDays = days;
        options.Retention.PurgeEveryMinutes = minutes;
        var result = OptionsCheck.Validate(options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_api_endpoint_needs_a_scope()
    {
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1", StringComparison.Ordinal) == true).ToList();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} API endpoints found");
        var bare = endpoints.Where(e => !e.Metadata.OfType<ScopeRequirement>().Any()).Select(e => e.DisplayName).ToList();
        Assert.True(bare.Count == 0, "endpoints without a scope: " + string.Join(", ", bare));
    }

    [Theory]
    [InlineData("/api/v1/messages/sign", "post", "sign")]
    [InlineData("/api/v1/institutions/{code}/domains", "get", "read")]
    [InlineData("/api/v1/institutions/{code}/domains/{domain}", "delete", "manage-domains")]
    [InlineData("/api/v1/institutions/{code}/domains/{domain}/keys/{selector}", "put", "manage-domains")]
    [InlineData("/api/v1/webhooks", "post", "admin")]
    [InlineData("/api/v1/audit", "get", "admin")]
    public async Task OpenApi_names_each_operations_scope(string path, string method, string scope)
    {
        var doc = await (await Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var operation = doc["paths"]![path]![method]!;
        Assert.Equal(scope, operation["x-senderauth-scope"]!.GetValue<string>());
        Assert.Contains($"`{scope}`", operation["description"]!.GetValue<string>(), StringComparison.Ordinal);
        // And no API operation goes undocumented.
        var missing = doc["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Value?["x-senderauth-scope"] is null).Select(o => $"{o.Key} {p.Key}")).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public async Task Issuing_a_key_needs_its_scopes_named()
    {
        var op = Host.Client();
        var code = ServerFixture.NewCode("scopes");
        await op.CreateInstitution(code);
        var none = await (await op.PostJson($"/api/v1/institutions/{code}/api-keys", new { name = "app" })).Json(HttpStatusCode.BadRequest);
        Assert.Equal("scopes", none["field"]!.GetValue<string>());
        Assert.Contains("manage-domains", none["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await op.PostJson($"/api/v1/institutions/{code}/api-keys", new { name = "app", scopes = new[] { "root" } })).Json(HttpStatusCode.BadRequest);
        var created = await (await op.PostJson($"/api/v1/institutions/{code}/api-keys", new { name = "app", scopes = new[] { "sign" } })).Json(HttpStatusCode.Created);
        Assert.Equal(["sign"], created["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        var list = await op.AllItems("/api/v1/api-keys");
        var row = list.Single(k => k["id"]!.GetValue<long>() == created["id"]!.GetValue<long>());
        Assert.Equal(["sign"], row["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task A_read_key_reads_and_a_refusal_names_the_scope_and_is_audited()
    {
        var op = Host.Client();
        var code = ServerFixture.NewCode("readkey");
        await op.CreateInstitution(code);
        await op.CreateDomain(code, $"{code}.example");
        var created = await (await op.PostJson($"/api/v1/institutions/{code}/api-keys", new { name = "viewer", scopes = new[] { "read" } })).Json(HttpStatusCode.Created);
        var reader = Host.Client(created["key"]!.GetValue<string>());

        await (await reader.GetAsync($"/api/v1/institutions/{code}/domains")).Json(HttpStatusCode.OK);
        var refused = await (await reader.PostJson($"/api/v1/institutions/{code}/domains", new { name = $"more.{code}.example" })).Json(HttpStatusCode.Forbidden);
        Assert.Equal("manage-domains", refused["missingScope"]!.GetValue<string>());
        Assert.Contains("lacks the scope \"manage-domains\"", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await reader.Sign(ApiClient.Message($"tickets@{code}.example"))).Json(HttpStatusCode.Forbidden);
        // Nothing was registered.
        await (await op.GetAsync($"/api/v1/institutions/{code}/domains/more.{code}.example")).Json(HttpStatusCode.NotFound);

        var audit = await (await op.GetAsync($"/api/v1/audit?institution={code}&kind=auth")).Json(HttpStatusCode.OK);
        var entry = audit["items"]!.AsArray().First(a => a!["action"]!.GetValue<string>() == "auth.scope-refused"
            && a["subject"]!.GetValue<string>() == $"POST /api/v1/institutions/{code}/domains")!;
        Assert.Equal(created["id"]!.GetValue<long>(), entry["keyId"]!.GetValue<long>());
        Assert.Equal(code, entry["institution"]!.GetValue<string>());
        Assert.Contains("needs manage-domains", entry["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manage_domains_key_manages_domains_but_not_webhooks_or_keys()
    {
        var op = Host.Client();
        var code = ServerFixture.NewCode("mgr");
        await op.CreateInstitution(code);
        var manager = Host.Client(await op.CreateInstitutionKey(code, "manage-domains"));
        await manager.CreateDomain(code, $"{code}.example");
        await (await manager.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example")).Json(HttpStatusCode.OK);
        var hook = await (await manager.PostJson("/api/v1/webhooks", new { url = "https://hooks.example/x" })).Json(HttpStatusCode.Forbidden);
        Assert.Equal("admin", hook["missingScope"]!.GetValue<string>());
        await (await manager.GetAsync("/api/v1/audit")).Json(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_unknown_key_is_refused_and_audited_once_per_window_with_the_count()
    {
        // Its own host: refusals from one client share one throttle window (10 s), other tests' revoked keys included.
        await using var host = await ServerHost.StartAsync("sqlite");
        var op = host.Client();
        var stranger = host.Client("sa_" + new string('x', 43));
        await (await stranger.GetAsync("/api/v1/institutions")).Json(HttpStatusCode.Unauthorized);
        // A scanner's next tries (other paths, other keys) within the window are one entry, not one row each.
        await (await stranger.GetAsync("/api/v1/webhooks")).Json(HttpStatusCode.Unauthorized);
        await (await host.Client("sa_" + new string('y', 43)).GetAsync("/api/v1/audit")).Json(HttpStatusCode.Unauthorized);
        var audit = await (await op.GetAsync("/api/v1/audit?kind=auth.refused")).Json(HttpStatusCode.OK);
        Assert.Equal(1, audit["total"]!.GetValue<int>());
        var entry = audit["items"]!.AsArray().Single(a => a!["detail"]!.GetValue<string>().Contains("sa_xxxxxxx… on GET /api/v1/institutions", StringComparison.Ordinal))!;
        Assert.Equal("anonymous", entry["actor"]!.GetValue<string>());
        Assert.Null(entry["keyId"]);
        Assert.DoesNotContain(new string('x', 20), entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_is_filtered_and_an_institution_sees_only_its_own()
    {
        var op = Host.Client();
        var a = ServerFixture.NewCode("auda");
        var b = ServerFixture.NewCode("audb");
        await op.CreateInstitution(a);
        await op.CreateInstitution(b);
        await op.CreateDomain(a, $"{a}.example");
        await op.CreateDomain(b, $"{b}.example");
        var keyA = Host.Client(await op.CreateInstitutionKey(a));

        var domainsOfA = await (await op.GetAsync($"/api/v1/audit?institution={a}&kind=domain")).Json(HttpStatusCode.OK);
        Assert.Equal(["domain.create"], domainsOfA["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        var future = await (await op.GetAsync($"/api/v1/audit?institution={a}&from=2999-01-01T00:00:00Z")).Json(HttpStatusCode.OK);
        Assert.Equal(0, future["total"]!.GetValue<int>());
        await (await op.GetAsync("/api/v1/audit?kind=DROP%20TABLE")).Json(HttpStatusCode.BadRequest);
        await (await op.GetAsync("/api/v1/audit?kind=Domain")).Json(HttpStatusCode.BadRequest);
        // Actions may hold digits (ed25519.enable): a kind with digits is a filter, not a refusal.
        var edOfA = await (await op.GetAsync($"/api/v1/audit?institution={a}&kind=ed25519.enable")).Json(HttpStatusCode.OK);
        Assert.Equal(0, edOfA["total"]!.GetValue<int>());

        var own = await (await keyA.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.All(own["items"]!.AsArray(), e => Assert.Equal(a, e!["institution"]!.GetValue<string>()));
        await (await keyA.GetAsync($"/api/v1/audit?institution={b}")).Json(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_deleted_domain_needs_if_match_is_restorable_then_purged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await ServerHost.StartAsync("sqlite", services: s => s.AddSingleton<TimeProvider>(time));
        var op = host.Client();
        const string code = "soft";
        const string domain = "soft.example";
        await op.CreateInstitution(code);
        await op.CreateDomain(code, domain);
        var url = $"/api/v1/institutions/{code}/domains/{domain}";

        var blind = await (await op.DeleteAsync(url)).Json((HttpStatusCode)428);
        Assert.Contains("If-Match", blind["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var stale = new HttpRequestMessage(HttpMethod.Delete, url) { Headers = { { "If-Match", "\"999\"" } } };
        var staleProblem = await (await op.SendAsync(stale)).Json(HttpStatusCode.PreconditionFailed);
        var read = await op.GetAsync(url);
        await read.Json(HttpStatusCode.OK);
        // Neither refusal tells the current version: a blind delete must read first, like any client.
        var version = read.Headers.ETag!.Tag;
        Assert.DoesNotContain(version.Trim('"'), blind["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(version.Trim('"'), staleProblem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead(url)).StatusCode);
        await (await op.GetAsync(url)).Json(HttpStatusCode.NotFound);
        var zone = await (await op.GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
        Assert.EndsWith("p=\"", zone.Split('\n').Single(l => l.StartsWith("sel1-soft._domainkey", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        // The name is still held during the retention: nobody else registers it meanwhile.
        await (await op.PostJson($"/api/v1/institutions/{code}/domains", new { name = domain })).Json(HttpStatusCode.Conflict);

        var restored = await (await op.PostAsync($"{url}/restore", null)).Json(HttpStatusCode.OK);
        Assert.Equal("pending", restored["state"]!.GetValue<string>());
        Assert.False(restored["signingEnabled"]!.GetValue<bool>());
        var keys = (await (await op.GetAsync($"{url}/keys")).Json(HttpStatusCode.OK))["items"]!;
        Assert.Contains(keys.AsArray(), k => k!["state"]!.GetValue<string>() != "revoked");
        await (await op.PostAsync($"{url}/restore", null)).Json(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead(url)).StatusCode);
        time.Advance(TimeSpan.FromDays(29));
        Assert.Equal((0, 0), await host.Services.GetRequiredService<DeletionPurger>().PurgeAsync(CancellationToken.None));
        // The hosted purge wakes on the same clock and may be the one that purges; a pass here returns only when
        // the purge is complete either way (each domain's purge is one transaction).
        time.Advance(TimeSpan.FromDays(2));
        await host.Services.GetRequiredService<DeletionPurger>().PurgeAsync(CancellationToken.None);
        await (await op.PostAsync($"{url}/restore", null)).Json(HttpStatusCode.NotFound);
        var audit = await (await op.GetAsync($"/api/v1/audit?institution={code}&kind=domain")).Json(HttpStatusCode.OK);
        Assert.Equal(["domain.purge", "domain.delete", "domain.restore", "domain.delete", "domain.create"],
            audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        // Purged for good: the name is free again.
        await op.CreateDomain(code, domain);
    }

    [Fact]
    public async Task A_deleted_institution_stops_its_keys_and_comes_back_on_restore()
    {
        var op = Host.Client();
        var code = ServerFixture.NewCode("softinst");
        await op.CreateInstitution(code);
        await op.CreateDomain(code, $"{code}.example");
        var own = Host.Client(await op.CreateInstitutionKey(code));
        await (await own.GetAsync($"/api/v1/institutions/{code}")).Json(HttpStatusCode.OK);

        await (await op.DeleteAsync($"/api/v1/institutions/{code}")).Json((HttpStatusCode)428);
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead($"/api/v1/institutions/{code}")).StatusCode);
        await (await op.GetAsync($"/api/v1/institutions/{code}")).Json(HttpStatusCode.NotFound);
        await (await own.GetAsync($"/api/v1/institutions/{code}")).Json(HttpStatusCode.Unauthorized);

        var restored = await (await op.PostAsync($"/api/v1/institutions/{code}/restore", null)).Json(HttpStatusCode.OK);
        Assert.Equal(1, restored["domains"]!.GetValue<int>());
        await (await own.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example")).Json(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_read_key_gets_a_read_only_dashboard_and_sessions_are_audited()
    {
        var op = Host.Client();
        var code = ServerFixture.NewCode("dashread");
        await op.CreateInstitution(code);
        await op.CreateDomain(code, $"{code}.example");
        var readKey = await op.CreateInstitutionKey(code, "read");
        using var browser = Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/dashboard/signin", new() { ["key"] = readKey })).StatusCode);

        var domainPage = $"/dashboard/institutions/{code}/domains/{code}.example";
        var page = await browser.GetStringAsync(domainPage);
        Assert.Contains($"{code}.example", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Check now", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Turn signing on", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/dashboard/onboard", page, StringComparison.Ordinal);
        // The form is hidden, and posting it anyway is refused.
        var check = await PostFormAsync(browser, $"{domainPage}?handler=Check", new(), formFrom: domainPage);
        Assert.Equal(HttpStatusCode.Forbidden, check.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/dashboard/onboard")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/dashboard/signout", new(), formFrom: domainPage)).StatusCode);

        var sessions = await (await op.GetAsync($"/api/v1/audit?institution={code}&kind=session")).Json(HttpStatusCode.OK);
        Assert.Equal(["session.sign-out", "session.sign-in"], sessions["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
    }

    /// <summary>A dashboard form posted as a browser does: the antiforgery field read from <paramref name="formFrom"/> (default: the form's own page).</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string url, Dictionary<string, string> fields, string? formFrom = null)
    {
        var form = await browser.GetStringAsync(formFrom ?? url);
        fields["__csrf"] = CsrfField().Match(form).Groups[1].Value;
        return await browser.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
