using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Data;
using SenderAuth.Server.Webhooks;
using SenderAuth.Store.Webhooks;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Limits a review found open (issue 18): deleted domains count against the domain cap, queued webhook deliveries are
/// bounded per institution, and key use by scope is audited once a minute (test host).
/// </summary>
[Trait("Layer", "server")]
public sealed class ReviewedLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleted_domains_count_against_the_cap_so_delete_and_restore_cannot_double_it()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Quotas:MaxDomainsPerInstitution"] = "2" });
        var op = host.Client();
        await op.CreateInstitution("capd");
        await op.CreateDomain("capd", "one.capd.example");
        await op.CreateDomain("capd", "two.capd.example");
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead("/api/v1/institutions/capd/domains/one.capd.example")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead("/api/v1/institutions/capd/domains/two.capd.example")).StatusCode);

        // Both deleted, both still counted until purged: a third is refused, naming the setting.
        var refused = await (await op.PostJson("/api/v1/institutions/capd/domains", new { name = "three.capd.example" })).Json(HttpStatusCode.Conflict);
        AssertLimit(refused, "SenderAuth:Quotas:MaxDomainsPerInstitution", 2);
        Assert.Contains("deleted ones count", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Restoring within the cap is fine, and leaves two live, never more.
        await (await op.PostAsync("/api/v1/institutions/capd/domains/one.capd.example/restore", null, Ct)).Json(HttpStatusCode.OK);
        await (await op.PostAsync("/api/v1/institutions/capd/domains/two.capd.example/restore", null, Ct)).Json(HttpStatusCode.OK);
        var list = await (await op.GetAsync("/api/v1/institutions/capd/domains", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(2, (list["items"] ?? list).AsArray().Count);
    }

    [Fact]
    public async Task Restore_over_a_lowered_cap_is_refused()
    {
        var data = Directory.CreateTempSubdirectory("senderauth-cap-");
        try
        {
            await using (var first = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Quotas:MaxDomainsPerInstitution"] = "3" }, dataDirectory: data.FullName, keepDatabase: true))
            {
                var op = first.Client();
                await op.CreateInstitution("capr");
                await op.CreateDomain("capr", "one.capr.example");
                await op.CreateDomain("capr", "two.capr.example");
                Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteRead("/api/v1/institutions/capr/domains/one.capr.example")).StatusCode);
            }
            // The operator lowers the cap to what is live: the deleted domain cannot come back over it.
            await using var second = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Quotas:MaxDomainsPerInstitution"] = "1" }, dataDirectory: data.FullName, keepDatabase: true);
            var refused = await (await second.Client().PostAsync("/api/v1/institutions/capr/domains/one.capr.example/restore", null, Ct)).Json(HttpStatusCode.Conflict);
            AssertLimit(refused, "SenderAuth:Quotas:MaxDomainsPerInstitution", 1);
            await (await second.Client().GetAsync("/api/v1/institutions/capr/domains/one.capr.example", Ct)).Json(HttpStatusCode.NotFound);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Test_posts_stop_at_the_queued_delivery_cap_and_real_events_drop_the_oldest()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new()
        {
            ["SenderAuth:Notifications:SendWebhooks"] = "false", ["SenderAuth:Quotas:MaxQueuedDeliveriesPerInstitution"] = "10",
        });
        var op = host.Client();
        await op.CreateInstitution("qhook");
        var inst = host.Client(await op.CreateInstitutionKey("qhook"));
        var hook = (await (await inst.PostJson("/api/v1/webhooks", new { url = "https://hooks.example/q" })).Json(HttpStatusCode.Created))["id"]!.GetValue<long>();
        for (var i = 0; i < 10; i++)
        {
            await (await inst.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
        }
        var full = await (await inst.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Conflict);
        AssertLimit(full, "SenderAuth:Quotas:MaxQueuedDeliveriesPerInstitution", 10);

        // Real events are enqueued regardless; the trim then keeps the newest 10.
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        var institution = await db.Institutions.SingleAsync(i => i.Code == "qhook", Ct);
        for (var i = 0; i < 5; i++)
        {
            await WebhookOutbox.EnqueueAsync(db, institution.Id, new ServerEvent(ServerEventType.DomainDegraded, "qhook", $"d{i}.qhook.example", DateTime.UtcNow, "test"), Ct);
        }
        await db.SaveChangesAsync(Ct);
        var ids = await WebhookBacklog.Queued(db, institution.Id).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync(Ct);
        Assert.Equal(15, ids.Count);
        var dropped = await WebhookBacklog.TrimAsync(db, 10, DateTime.UtcNow, Ct);
        Assert.Equal([(institution.Id, 5)], dropped.Select(d => (d.Institution!.Value, d.Dropped)));
        Assert.Equal(ids[5..], await WebhookBacklog.Queued(db, institution.Id).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync(Ct));
    }

    [Fact]
    public async Task Key_use_is_audited_per_scope_once_a_minute_with_the_client()
    {
        // Over Kestrel, so that requests have a client address (the in-memory test server has none).
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var op = host.Client();
        await op.CreateInstitution("kuse");
        var created = await (await op.PostJson("/api/v1/institutions/kuse/api-keys", new { name = "viewer", scopes = new[] { "read" } })).Json(HttpStatusCode.Created);
        var reader = host.Client(created["key"]!.GetValue<string>());
        for (var i = 0; i < 3; i++)
        {
            await (await reader.GetAsync("/api/v1/institutions/kuse/domains", Ct)).Json(HttpStatusCode.OK);
        }
        var audit = await (await op.GetAsync("/api/v1/audit?institution=kuse&kind=key.use")).Json(HttpStatusCode.OK);
        var uses = audit["items"]!.AsArray().Where(e => e!["keyId"]?.GetValue<long>() == created["id"]!.GetValue<long>()).ToList();
        var entry = Assert.Single(uses)!;
        Assert.Equal("key.use", entry["action"]!.GetValue<string>());
        Assert.Equal("read", entry["subject"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", entry["client"]?.GetValue<string>());
        Assert.Null(entry["detail"]);
    }

    private static void AssertLimit(JsonNode problem, string limit, long value)
    {
        Assert.Equal(limit, problem["limit"]?.GetValue<string>());
        Assert.Equal(value, problem["limitValue"]?.GetValue<long>());
        Assert.Contains(limit, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
