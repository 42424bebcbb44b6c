using System.Net;
using System.Text.Json.Nodes;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The webhook, API-key and declared-sender lists page like every other list (<c>?page=&amp;pageSize=</c>, limits from
/// <c>Limits:MaxPageSize</c>, a stable order), and paging never shows one institution another's rows.
/// </summary>
[Trait("Layer", "server")]
public sealed class ListPagingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A small MaxPageSize, so a few rows already fill several pages and the default page size is the limit.</summary>
    private static Task<ServerHost> StartAsync() => ServerHost.StartAsync("sqlite", new()
    {
        ["SenderAuth:Limits:MaxPageSize"] = "3",
        ["SenderAuth:Notifications:SendWebhooks"] = "false",
    });

    private static async Task<JsonNode> Page(HttpClient client, string url, int page, int pageSize) =>
        await (await client.GetAsync($"{url}?page={page}&pageSize={pageSize}", Ct)).Json(HttpStatusCode.OK);

    [Fact]
    public async Task Webhooks_page_in_id_order_and_each_institution_sees_only_its_own()
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("pagea");
        await op.CreateInstitution("pageb");
        var a = host.Client(await op.CreateInstitutionKey("pagea"));
        var b = host.Client(await op.CreateInstitutionKey("pageb"));
        var created = new Dictionary<string, List<long>> { ["pagea"] = [], ["pageb"] = [] };
        for (var i = 0; i < 5; i++)
        {
            created["pagea"].Add((await (await a.PostJson("/api/v1/webhooks", new { url = $"https://hooks.a.example/{i}" })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>());
            created["pageb"].Add((await (await b.PostJson("/api/v1/webhooks", new { url = $"https://hooks.b.example/{i}" })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>());
        }
        var global = (await (await op.PostJson("/api/v1/webhooks", new { url = "https://ops.example/hooks" })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>();

        var first = await Page(a, "/api/v1/webhooks", 1, 2);
        Assert.Equal(5, first["total"]!.GetValue<int>());
        Assert.Equal(created["pagea"][..2], first["items"]!.AsArray().Select(h => h!["id"]!.GetValue<long>()));
        var last = await Page(a, "/api/v1/webhooks", 3, 2);
        Assert.Equal([created["pagea"][4]], last["items"]!.AsArray().Select(h => h!["id"]!.GetValue<long>()));
        Assert.Empty((await Page(a, "/api/v1/webhooks", 4, 2))["items"]!.AsArray());

        foreach (var (client, code) in new[] { (a, "pagea"), (b, "pageb") })
        {
            var all = await client.AllItems("/api/v1/webhooks", pageSize: 2, Ct);
            Assert.Equal(created[code], all.Select(h => h["id"]!.GetValue<long>()));
            Assert.All(all, h => Assert.Equal(code, h["institution"]!.GetValue<string>()));
        }
        var everything = await op.AllItems("/api/v1/webhooks", pageSize: 3, Ct);
        Assert.Equal(created["pagea"].Concat(created["pageb"]).Append(global).Order(), everything.Select(h => h["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Declared_senders_page_by_name_and_another_institution_gets_404_on_every_page()
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("senda");
        await op.CreateInstitution("sendb");
        var a = host.Client(await op.CreateInstitutionKey("senda"));
        var b = host.Client(await op.CreateInstitutionKey("sendb"));
        string[] names = ["Newsletter", "Billing", "Tickets", "Alerts", "Survey"];
        foreach (var name in names)
        {
            await (await a.PostJson("/api/v1/institutions/senda/senders", new { name, dkimDomains = new[] { $"{name.ToLowerInvariant()}.a.example" } })).Json(HttpStatusCode.Created);
        }
        // The same name in another institution is that institution's own sender.
        await (await b.PostJson("/api/v1/institutions/sendb/senders", new { name = "Billing", networks = new[] { "198.51.100.0/24" } })).Json(HttpStatusCode.Created);

        var all = await a.AllItems("/api/v1/institutions/senda/senders", pageSize: 2, Ct);
        Assert.Equal(names.Order(StringComparer.Ordinal), all.Select(s => s["name"]!.GetValue<string>()));
        Assert.All(all, s => Assert.EndsWith(".a.example", s["dkimDomains"]![0]!.GetValue<string>(), StringComparison.Ordinal));
        var theirs = await b.AllItems("/api/v1/institutions/sendb/senders", pageSize: 2, Ct);
        Assert.Equal(["198.51.100.0/24"], Assert.Single(theirs)["networks"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.DoesNotContain(theirs, s => all.Any(mine => mine["id"]!.GetValue<long>() == s["id"]!.GetValue<long>()));

        foreach (var page in new[] { 1, 2, 3 })
        {
            await (await b.GetAsync($"/api/v1/institutions/senda/senders?page={page}&pageSize=2", Ct)).Json(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Api_keys_page_in_id_order_for_operators_only()
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("keysa");
        var institutionKey = await op.CreateInstitutionKey("keysa");
        for (var i = 0; i < 4; i++)
        {
            await op.CreateInstitutionKey("keysa", "read");
        }
        await (await op.PostJson("/api/v1/api-keys", new { name = "second-operator", scopes = new[] { "admin" } })).Json(HttpStatusCode.Created);

        var all = await op.AllItems("/api/v1/api-keys", pageSize: 2, Ct);
        var ids = all.Select(k => k["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.Order(), ids);
        // The configured operator key, five institution keys, the second operator key: more than two pages of two.
        Assert.True(all.Count >= 7, $"{all.Count} keys");
        Assert.Equal(5, all.Count(k => k["institution"]?.GetValue<string>() == "keysa"));
        Assert.Equal("second-operator", all[^1]["name"]!.GetValue<string>());
        Assert.Equal(institutionKey[..10], all.First(k => k["institution"]?.GetValue<string>() == "keysa")["prefix"]!.GetValue<string>());

        var institution = host.Client(institutionKey);
        foreach (var page in new[] { 1, 2 })
        {
            await (await institution.GetAsync($"/api/v1/api-keys?page={page}&pageSize=2", Ct)).Json(HttpStatusCode.Forbidden);
        }
    }

    [Theory]
    [InlineData("/api/v1/webhooks")]
    [InlineData("/api/v1/api-keys")]
    [InlineData("/api/v1/institutions/limits/senders")]
    public async Task Page_and_page_size_are_checked_against_the_configured_limit(string url)
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("limits");
        // No pageSize: the default (50) is brought down to Limits:MaxPageSize.
        Assert.Equal(3, (await (await op.GetAsync(url, Ct)).Json(HttpStatusCode.OK))["pageSize"]!.GetValue<int>());
        var tooBig = await (await op.GetAsync($"{url}?pageSize=4", Ct)).Json(HttpStatusCode.BadRequest);
        Assert.Equal("pageSize", tooBig["field"]!.GetValue<string>());
        Assert.Contains("between 1 and 3", tooBig["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("pageSize", (await (await op.GetAsync($"{url}?pageSize=0", Ct)).Json(HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
        Assert.Equal("page", (await (await op.GetAsync($"{url}?page=0", Ct)).Json(HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
    }
}
