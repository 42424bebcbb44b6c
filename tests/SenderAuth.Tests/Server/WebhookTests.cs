using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SenderAuth.Store.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Monitoring;
using SenderAuth.Server.Webhooks;
using SenderAuth.Store.Webhooks;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Webhooks end to end: a real receiver on loopback checks every signature; the sender is driven pass by pass
/// (DeliverDueAsync) on a held clock, so retries and give-ups are deterministic.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "postgres")]
public sealed class WebhookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A server whose own loop does not send (the test runs the passes) and whose retry waits have no jitter.</summary>
    private static Task<ServerHost> StartAsync(FakeTimeProvider? time = null, Dictionary<string, string?>? settings = null, string database = "sqlite")
    {
        var all = new Dictionary<string, string?>
        {
            ["SenderAuth:Notifications:SendWebhooks"] = "false",
            ["SenderAuth:Notifications:Jitter"] = "0",
            // The receiver listens on loopback, which webhooks may reach only when the operator allows it.
            ["SenderAuth:Notifications:AllowedNetworks:0"] = "127.0.0.0/8",
        };
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }
        return ServerHost.StartAsync(database, all, time is null ? null : s => s.AddSingleton<TimeProvider>(time));
    }

    private static async Task<(long Id, string Secret)> CreateHook(HttpClient client, string url, string? institution = null)
    {
        var body = institution is null ? (object)new { url } : new { url, institution };
        var created = await (await client.PostJson("/api/v1/webhooks", body)).Json(HttpStatusCode.Created);
        return (created["id"]!.GetValue<long>(), created["secret"]!.GetValue<string>());
    }

    private static async Task<JsonNode> LastDelivery(HttpClient client, long hook) =>
        (await (await client.GetAsync($"/api/v1/webhooks/{hook}/deliveries")).Json(HttpStatusCode.OK))["items"]![0]!;

    [Fact]
    public async Task A_delivery_is_signed_and_carries_event_and_delivery_headers()
    {
        var time = new FakeTimeProvider(T0);
        await using var host = await StartAsync(time);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Clock = time;
        var op = host.Client();
        await op.CreateInstitution("hooka");
        var inst = host.Client(await op.CreateInstitutionKey("hooka"));
        var created = await (await inst.PostJson("/api/v1/webhooks", new { url = receiver.Url })).Json(HttpStatusCode.Created);
        // An institution key's webhook is its institution's, without saying so.
        Assert.Equal("hooka", created["institution"]!.GetValue<string>());
        var hook = created["id"]!.GetValue<long>();
        receiver.Secret = created["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", receiver.Secret, StringComparison.Ordinal);

        var queued = await (await inst.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
        var deliveryId = queued["deliveryId"]!.GetValue<long>();
        var sender = host.Services.GetRequiredService<WebhookSender>();
        Assert.Equal(1, await sender.DeliverDueAsync(Ct));

        var got = Assert.Single(receiver.Received);
        Assert.True(got.SignatureValid, "the signature does not verify with the secret shown at creation");
        Assert.True(got.Fresh);
        Assert.Equal(T0.ToUnixTimeSeconds(), got.Timestamp);
        Assert.Equal("webhook.test", got.Event);
        Assert.Equal(deliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture), got.DeliveryId);
        Assert.Equal("application/json; charset=utf-8", got.ContentType);
        var payload = JsonNode.Parse(got.Body)!;
        Assert.Equal("webhook.test", payload["event"]!.GetValue<string>());
        Assert.Equal("hooka", payload["institution"]!.GetValue<string>());

        var log = await LastDelivery(inst, hook);
        Assert.Equal(deliveryId, log["id"]!.GetValue<long>());
        Assert.Equal(1, log["attempts"]!.GetValue<int>());
        Assert.Equal(200, log["lastStatus"]!.GetValue<int>());
        Assert.NotNull(log["deliveredAt"]);
        Assert.Null(log["nextAttemptAt"]);
        Assert.False(log["gaveUp"]!.GetValue<bool>());
        // Delivered means done: the next pass has nothing to send.
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await sender.DeliverDueAsync(Ct));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_500_is_retried_after_the_backoff_and_then_delivered()
    {
        var time = new FakeTimeProvider(T0);
        await using var host = await StartAsync(time);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Clock = time;
        var op = host.Client();
        await op.CreateInstitution("hookr");
        var (hook, secret) = await CreateHook(op, receiver.Url, "hookr");
        receiver.Secret = secret;
        receiver.FailNext(1, 500);
        await (await op.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
        var sender = host.Services.GetRequiredService<WebhookSender>();

        Assert.Equal(1, await sender.DeliverDueAsync(Ct));
        var failed = await LastDelivery(op, hook);
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.Equal(500, failed["lastStatus"]!.GetValue<int>());
        Assert.Contains("500", failed["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(failed["deliveredAt"]);
        Assert.Equal(T0.UtcDateTime.AddMinutes(1), failed["nextAttemptAt"]!.GetValue<DateTime>());

        // Not before the first backoff step (1 minute) has passed.
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await sender.DeliverDueAsync(Ct));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sender.DeliverDueAsync(Ct));

        var delivered = await LastDelivery(op, hook);
        Assert.Equal(2, delivered["attempts"]!.GetValue<int>());
        Assert.Equal(200, delivered["lastStatus"]!.GetValue<int>());
        Assert.Null(delivered["lastError"]);
        Assert.NotNull(delivered["deliveredAt"]);
        Assert.Equal([500, 200], receiver.Received.Select(r => r.AnsweredWith));
        // The same delivery id both times (receivers de-duplicate by it), each attempt signed with its own time.
        Assert.Single(receiver.Received.Select(r => r.DeliveryId).Distinct());
        Assert.All(receiver.Received, r => Assert.True(r.SignatureValid && r.Fresh));
        Assert.Equal(T0.ToUnixTimeSeconds() + 60, receiver.Received[1].Timestamp);
    }

    [Fact]
    public async Task A_delivery_is_given_up_after_MaxAttempts_failures()
    {
        var time = new FakeTimeProvider(T0);
        await using var host = await StartAsync(time, new()
        {
            ["SenderAuth:Notifications:MaxAttempts"] = "3",
            ["SenderAuth:Notifications:RetryDelays:0"] = "00:01:00",
            ["SenderAuth:Notifications:RetryDelays:1"] = "00:10:00",
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AlwaysAnswer = 503;
        var op = host.Client();
        await op.CreateInstitution("hookg");
        var (hook, secret) = await CreateHook(op, receiver.Url, "hookg");
        receiver.Secret = secret;
        // Nothing listens on port 9: a connection error is a failed attempt too, without a status.
        var (closed, _) = await CreateHook(op, "http://127.0.0.1:9/hook", "hookg");
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var id = await db.Institutions.Where(i => i.Code == "hookg").Select(i => i.Id).SingleAsync(Ct);
            await WebhookOutbox.EnqueueAsync(db, id, new ServerEvent(ServerEventType.DomainFailed, "hookg", "hookg.example", T0.UtcDateTime, "never verified"), Ct);
            await db.SaveChangesAsync(Ct);
        }
        var sender = host.Services.GetRequiredService<WebhookSender>();

        Assert.Equal(2, await sender.DeliverDueAsync(Ct));
        var refused = await LastDelivery(op, closed);
        Assert.Null(refused["lastStatus"]);
        // The tenant sees that it failed, not why: the socket error would tell open from closed ports.
        Assert.Equal(WebhookSender.DeliveryFailed, refused["lastError"]!.GetValue<string>());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await sender.DeliverDueAsync(Ct));
        Assert.Equal(T0.UtcDateTime.AddMinutes(11), (await LastDelivery(op, hook))["nextAttemptAt"]!.GetValue<DateTime>());
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await sender.DeliverDueAsync(Ct));

        var last = await LastDelivery(op, hook);
        Assert.True(last["gaveUp"]!.GetValue<bool>());
        Assert.Equal(3, last["attempts"]!.GetValue<int>());
        Assert.Equal(503, last["lastStatus"]!.GetValue<int>());
        Assert.Null(last["nextAttemptAt"]);
        Assert.Null(last["deliveredAt"]);
        Assert.True((await LastDelivery(op, closed))["gaveUp"]!.GetValue<bool>());
        time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(0, await sender.DeliverDueAsync(Ct));
        Assert.Equal(3, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Equal("domain.failed", r.Event));
    }

    [Fact]
    public async Task Webhooks_are_scoped_to_their_institution_and_operators_see_all()
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("hooksa");
        await op.CreateInstitution("hooksb");
        var a = host.Client(await op.CreateInstitutionKey("hooksa"));
        var b = host.Client(await op.CreateInstitutionKey("hooksb"));
        var (ownA, _) = await CreateHook(a, "https://a.example/hook");
        var (namedA, _) = await CreateHook(a, "https://a.example/named", "hooksa");
        var (ofB, _) = await CreateHook(b, "https://b.example/hook");
        var (global, _) = await CreateHook(op, "https://ops.example/all");
        var (opForB, _) = await CreateHook(op, "https://ops.example/b", "hooksb");

        foreach (var other in new[] { ofB, global, opForB })
        {
            foreach (var (name, call) in new (string, Func<Task<HttpResponseMessage>>)[]
            {
                ("get", () => a.GetAsync($"/api/v1/webhooks/{other}", Ct)),
                ("delete", () => a.DeleteAsync($"/api/v1/webhooks/{other}", Ct)),
                ("deliveries", () => a.GetAsync($"/api/v1/webhooks/{other}/deliveries", Ct)),
                ("test", () => a.PostAsync($"/api/v1/webhooks/{other}/test", null, Ct)),
            })
            {
                var response = await call();
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"webhook {other} → {name}: {(int)response.StatusCode}");
            }
        }
        await (await a.PostJson("/api/v1/webhooks", new { url = "https://a.example/x", institution = "hooksb" })).Json(HttpStatusCode.NotFound);

        var listA = await (await a.GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal([ownA, namedA], listA["items"]!.AsArray().Select(h => h!["id"]!.GetValue<long>()));
        var listOp = await (await op.GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal([ownA, namedA, ofB, global, opForB], listOp["items"]!.AsArray().Select(h => h!["id"]!.GetValue<long>()));
        Assert.Null(listOp["items"]!.AsArray().Single(h => h!["id"]!.GetValue<long>() == global)!["institution"]);
        Assert.Equal("hooksb", (await (await op.GetAsync($"/api/v1/webhooks/{ofB}", Ct)).Json(HttpStatusCode.OK))["institution"]!.GetValue<string>());
        await (await op.GetAsync($"/api/v1/webhooks/{ofB}/deliveries", Ct)).Json(HttpStatusCode.OK);

        // Deleting: the owner may, and the change is audited where the institution sees it and the other does not.
        Assert.Equal(HttpStatusCode.NoContent, (await b.DeleteAsync($"/api/v1/webhooks/{ofB}", Ct)).StatusCode);
        await (await b.GetAsync($"/api/v1/webhooks/{ofB}", Ct)).Json(HttpStatusCode.NotFound);
        var auditB = (await (await b.GetAsync("/api/v1/audit?pageSize=200", Ct)).Json(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Contains(auditB, e => e!["action"]!.GetValue<string>() == "webhook.delete" && e["subject"]!.GetValue<string>() == "https://b.example/hook");
        Assert.Contains(auditB, e => e!["action"]!.GetValue<string>() == "webhook.create" && e["actor"]!.GetValue<string>().StartsWith("institution:hooksb", StringComparison.Ordinal));
        var auditA = (await (await a.GetAsync("/api/v1/audit?pageSize=200", Ct)).Json(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.DoesNotContain(auditA, e => e!["subject"]!.GetValue<string>().Contains("b.example", StringComparison.Ordinal));
        var auditOp = (await (await op.GetAsync("/api/v1/audit?pageSize=200", Ct)).Json(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(5, auditOp.Count(e => e!["action"]!.GetValue<string>() == "webhook.create"));
    }

    [Theory]
    [InlineData("ftp://files.example/hook")]
    [InlineData("not a url")]
    [InlineData("/relative/hook")]
    [InlineData("https://user:password@hooks.example/")]
    [InlineData("")]
    public async Task A_webhook_url_must_be_absolute_http_or_https(string url)
    {
        await using var host = await StartAsync();
        var problem = await (await host.Client().PostJson("/api/v1/webhooks", new { url })).Json(HttpStatusCode.BadRequest);
        Assert.Equal("url", problem["field"]!.GetValue<string>());
        Assert.Empty((await (await host.Client().GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_stored_only_sealed()
    {
        await using var host = await StartAsync();
        var op = host.Client();
        await op.CreateInstitution("hooksec");
        const string url = "https://receiver.example/hook";
        var (hook, secret) = await CreateHook(op, url, "hooksec");
        await (await op.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
        var secretPart = secret["whsec_".Length..];

        foreach (var path in new[] { "/api/v1/webhooks", $"/api/v1/webhooks/{hook}", $"/api/v1/webhooks/{hook}/deliveries", "/api/v1/audit?pageSize=200" })
        {
            var text = await (await op.GetAsync(path, Ct)).Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain(secretPart, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"secret\"", text, StringComparison.OrdinalIgnoreCase);
        }
        using (var scope = host.Services.CreateScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<SenderAuthDb>().Webhooks.SingleAsync(w => w.Id == hook, Ct);
            var protector = scope.ServiceProvider.GetRequiredService<KeyProtector>();
            Assert.Equal(secret, Encoding.UTF8.GetString(protector.Open(row.SealedSecret, "webhook:" + url)));
            // Bound to its URL: the sealed secret moved to a row with another URL does not open.
            Assert.ThrowsAny<CryptographicException>(() => protector.Open(row.SealedSecret, "webhook:https://attacker.example/"));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(host.DataDirectory, "senderauth.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(secretPart)) < 0, "the webhook secret is stored in clear");
        Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(secretPart[..16])) < 0, "part of the webhook secret is stored in clear");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_senders_in_parallel_deliver_each_event_once(string database)
    {
        if (database == "postgres" && !ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        await using var host = await StartAsync(database: database);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(20);
        var op = host.Client();
        await op.CreateInstitution("hookl");
        (_, receiver.Secret) = await CreateHook(op, receiver.Url, "hookl");
        const int events = 40;
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var id = await db.Institutions.Where(i => i.Code == "hookl").Select(i => i.Id).SingleAsync(Ct);
            for (var i = 0; i < events; i++)
            {
                await WebhookOutbox.EnqueueAsync(db, id, new ServerEvent(ServerEventType.DomainVerified, "hookl", $"d{i}.hookl.example", DateTime.UtcNow.AddSeconds(-1), "verified"), Ct);
            }
            await db.SaveChangesAsync(Ct);
        }
        // Two instances as far as leases go: the registered sender and a second one built the same way.
        var first = host.Services.GetRequiredService<WebhookSender>();
        var second = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<WebhookSender>(host.Services);
        var passes = await Task.WhenAll(first.DeliverDueAsync(Ct), second.DeliverDueAsync(Ct), first.DeliverDueAsync(Ct), second.DeliverDueAsync(Ct));

        Assert.Equal(events, passes.Sum());
        using (var scope = host.Services.CreateScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<SenderAuthDb>().WebhookDeliveries.ToListAsync(Ct);
            Assert.All(rows, d => Assert.True(d.DeliveredAt is not null && d.Attempts == 1 && d.LeaseOwner is null,
                $"delivery {d.Id}: attempts {d.Attempts}, status {d.LastStatus}, error {d.LastError}"));
        }
        Assert.Equal(events, receiver.Received.Count);
        Assert.Equal(events, receiver.Received.Select(r => r.DeliveryId).Distinct().Count());
        Assert.All(receiver.Received, r => Assert.True(r.SignatureValid));
        Assert.Equal(0, await first.DeliverDueAsync(Ct));
    }

    [Fact]
    public async Task The_background_loop_delivers_without_being_called()
    {
        await using var host = await StartAsync(settings: new()
        {
            ["SenderAuth:Notifications:SendWebhooks"] = "true",
            ["SenderAuth:Notifications:IntervalSeconds"] = "0.1",
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        var op = host.Client();
        (var hook, receiver.Secret) = await CreateHook(op, receiver.Url);
        await (await op.PostAsync($"/api/v1/webhooks/{hook}/test", null, Ct)).Json(HttpStatusCode.Accepted);
        for (var i = 0; i < 600 && receiver.Received.Count == 0; i++)
        {
            await Task.Delay(100, Ct);
        }
        var got = Assert.Single(receiver.Received);
        Assert.True(got.SignatureValid);
        // Sent by the operator to a webhook of all institutions: the payload says so.
        Assert.Equal("*", JsonNode.Parse(got.Body)!["institution"]!.GetValue<string>());
    }

    [Fact]
    public void Notification_settings_are_validated()
    {
        var options = new ServerOptions();
        options.Provider.ApplyDefaults();
        options.Notifications.ApplyDefaults();
        Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("Notifications", StringComparison.Ordinal));

        options.Notifications.TimeoutSeconds = 30;
        options.Notifications.LeaseSeconds = 20;
        options.Notifications.MaxAttempts = 0;
        options.Notifications.Jitter = 1.5;
        options.Notifications.RetryDelays.Add(TimeSpan.Zero);
        var failures = OptionsCheck.Validate(options).Failures!.ToList();
        foreach (var setting in new[] { "LeaseSeconds", "MaxAttempts", "Jitter", "RetryDelays" })
        {
            Assert.Contains(failures, f => f.StartsWith($"SenderAuth:Notifications:{setting}", StringComparison.Ordinal));
        }
    }
}
