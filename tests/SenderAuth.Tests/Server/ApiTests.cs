using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace SenderAuth.Tests.Server;

/// <summary>Every endpoint's contract, run against SQLite and PostgreSQL alike.</summary>
[Trait("Layer", "server")]
public abstract class ApiTests(ServerFixture fixture)
{
    protected ServerHost Host
    {
        get
        {
            if (fixture.SkipReason is { } reason)
            {
                Assert.Skip(reason);
            }
            return fixture.Host;
        }
    }

    [Fact]
    public async Task Health_ready_and_openapi_answer_without_a_key()
    {
        var client = Host.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var ready = await client.GetAsync("/ready");
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        var doc = await (await client.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var route in new[] { "/api/v1/institutions", "/api/v1/institutions/{code}/domains", "/api/v1/institutions/{code}/domains/{domain}/records",
            "/api/v1/institutions/{code}/domains/{domain}/check", "/api/v1/institutions/{code}/domains/{domain}/signing", "/api/v1/messages/sign" })
        {
            Assert.Contains(route, paths);
        }
    }

    [Fact]
    public async Task Api_without_a_valid_key_is_401_problem_details()
    {
        var none = await Host.Client(null).GetAsync("/api/v1/institutions");
        var problem = await none.Json(HttpStatusCode.Unauthorized);
        Assert.Equal(401, problem["status"]!.GetValue<int>());
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        await (await Host.Client("sa_not-a-key").GetAsync("/api/v1/institutions")).Json(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Institutions_create_read_list_update_delete()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("inst");
        var created = await client.PostJson("/api/v1/institutions", new { code, name = "Mosa Museum", unsignedPolicy = "pass-unsigned" });
        var body = await created.Json(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/institutions/{code}", created.Headers.Location!.ToString());
        Assert.Equal("pass-unsigned", body["unsignedPolicy"]!.GetValue<string>());
        await (await client.PostJson("/api/v1/institutions", new { code, name = "again" })).Json(HttpStatusCode.Conflict);

        var get = await client.GetAsync($"/api/v1/institutions/{code}");
        var etag = get.Headers.ETag!.Tag;
        Assert.Equal("Mosa Museum", (await get.Json(HttpStatusCode.OK))["name"]!.GetValue<string>());

        var list = await (await client.GetAsync("/api/v1/institutions?page=1&pageSize=200")).Json(HttpStatusCode.OK);
        Assert.Contains(list["items"]!.AsArray(), i => i!["code"]!.GetValue<string>() == code);
        await (await client.GetAsync("/api/v1/institutions?pageSize=100000")).Json(HttpStatusCode.BadRequest);

        var updated = await (await client.PatchJson($"/api/v1/institutions/{code}", new { name = "Mosa", unsignedPolicy = "reject" }, etag)).Json(HttpStatusCode.OK);
        Assert.Equal("Mosa", updated["name"]!.GetValue<string>());
        // The first ETag is stale now: a second writer holding it must not overwrite.
        var stale = await (await client.PatchJson($"/api/v1/institutions/{code}", new { name = "Lost update" }, etag)).Json(HttpStatusCode.PreconditionFailed);
        Assert.Contains("changed since you read it", stale["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteRead($"/api/v1/institutions/{code}")).StatusCode);
        await (await client.GetAsync($"/api/v1/institutions/{code}")).Json(HttpStatusCode.NotFound);
        var audit = await (await client.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK);
        var mine = audit["items"]!.AsArray().Where(a => a!["subject"]!.GetValue<string>() == code).ToList();
        Assert.Equal(["institution.delete", "institution.update", "institution.create"], mine.Select(a => a!["action"]!.GetValue<string>()));
        Assert.All(mine, a => Assert.Equal("operator:configured", a!["actor"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{\"code\":\"MOSA\",\"name\":\"x\"}", "code", "not an institution code")]
    [InlineData("{\"code\":\"ok1\"}", "name", "name is required")]
    [InlineData("{\"code\":\"ok2\",\"name\":\"x\",\"colour\":\"red\"}", "colour", "malformed JSON at $.colour")]
    [InlineData("{\"code\": \"ok3\", \"name\": ", "", "malformed JSON")]
    [InlineData("{\"code\":\"ok4\",\"name\":\"x\",\"unsignedPolicy\":\"maybe\"}", "unsignedPolicy", "malformed JSON at $.unsignedPolicy")]
    public async Task Malformed_institution_requests_are_400_naming_the_field(string json, string field, string reason)
    {
        var problem = await (await Host.Client().PostRaw("/api/v1/institutions", json)).Json(HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        if (field.Length > 0)
        {
            Assert.Equal(field, problem["field"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Creating_a_domain_answers_with_the_records_to_publish_and_publishes_its_keys()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("dom");
        await client.CreateInstitution(code);
        var created = await client.CreateDomain(code, $"Shop.{code}.Example.");
        var domain = $"shop.{code}.example";
        Assert.Equal(domain, created["domain"]!["name"]!.GetValue<string>());
        Assert.Equal("pending", created["domain"]!["state"]!.GetValue<string>());
        var records = created["records"]!["records"]!.AsArray();
        Assert.Equal($"sel1-{code}._domainkey.dkim.ticketing.example.", records.Single(r => r!["name"]!.GetValue<string>() == $"stxsel1._domainkey.{domain}")!["value"]!.GetValue<string>());
        Assert.Equal($"sel2-{code}._domainkey.dkim.ticketing.example.", records.Single(r => r!["name"]!.GetValue<string>() == $"stxsel2._domainkey.{domain}")!["value"]!.GetValue<string>());
        Assert.Equal($"v=DMARC1; p=none; rua=mailto:{code}@rua.ticketing.example", records.Single(r => r!["purpose"]!.GetValue<string>() == "dmarc")!["value"]!.GetValue<string>());
        Assert.Equal("v=spf1 include:spf.ticketing.example ~all", records.Single(r => r!["purpose"]!.GetValue<string>() == "spf")!["value"]!.GetValue<string>());

        var zone = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone")).Content.ReadAsStringAsync();
        Assert.Contains($"stxsel1._domainkey.{domain}. 3600 IN CNAME sel1-{code}._domainkey.dkim.ticketing.example.", zone, StringComparison.Ordinal);
        Assert.Contains($"_dmarc.{domain}. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:{code}@rua.ticketing.example\"", zone, StringComparison.Ordinal);

        var keys = (await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/keys")).Json(HttpStatusCode.OK))["items"]!;
        Assert.Equal(2, keys.AsArray().Count);
        Assert.All(keys.AsArray(), k => Assert.Equal("published", k!["state"]!.GetValue<string>()));
        var text = keys.ToJsonString();
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sealed", text, StringComparison.OrdinalIgnoreCase);

        var providerZone = await (await client.GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
        Assert.Contains($"sel1-{code}._domainkey.dkim", providerZone, StringComparison.Ordinal);

        // The expected records are stored with the domain, as computed.
        using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(Host.Services))
        {
            var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SenderAuth.Store.Data.SenderAuthDb>(scope.ServiceProvider);
            var stored = db.Domains.Single(d => d.Name == domain).ExpectedRecordsJson!;
            Assert.Contains($"stxsel1._domainkey.{domain}", stored, StringComparison.Ordinal);
            Assert.Contains("v=DMARC1; p=none", stored, StringComparison.Ordinal);
        }
        // Reports are authorised for a domain only once its ownership is proved (here the operator vouches for it).
        Assert.DoesNotContain($"{domain}._report._dmarc.rua", providerZone, StringComparison.Ordinal);
        Assert.Null(created["domain"]!["verifiedAt"]);
        Assert.Equal($"_senderauth-challenge.{domain}", created["domain"]!["challenge"]!["name"]!.GetValue<string>());
        await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/verify", new { operatorOverride = true, reason = "test" })).Json(HttpStatusCode.OK);
        providerZone = await (await client.GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
        Assert.Contains($"{domain}._report._dmarc.rua", providerZone, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mosa..example", "empty label at position 2")]
    [InlineData("localhost", "single label")]
    [InlineData("tickets@mosa.example", "not a domain name")]
    [InlineData("192.0.2.1", "numeric label")]
    [InlineData("ticketing.example", "inside the provider zone")]
    public async Task Bad_domain_names_are_400_with_the_rule(string name, string reason)
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("bad");
        await client.CreateInstitution(code);
        var problem = await (await client.PostJson($"/api/v1/institutions/{code}/domains", new { name })).Json(HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("name", problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unicode_domains_are_stored_as_a_labels_and_duplicates_conflict()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("idn");
        await client.CreateInstitution(code);
        var created = await client.CreateDomain(code, $"müseum-{code}.example");
        Assert.Equal(new System.Globalization.IdnMapping().GetAscii($"müseum-{code}.example"), created["domain"]!["name"]!.GetValue<string>());
        Assert.StartsWith("xn--", created["domain"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"müseum-{code}.example", created["domain"]!["unicodeName"]!.GetValue<string>());
        var other = ServerFixture.NewCode("idn");
        await client.CreateInstitution(other);
        var conflict = await (await client.PostJson($"/api/v1/institutions/{other}/domains", new { name = $"MÜSEUM-{code}.example" })).Json(HttpStatusCode.Conflict);
        Assert.Contains("already registered", conflict["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enabling_signing_without_the_delegation_is_refused_with_the_findings()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("sig");
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.invalid-test");
        var problem = await (await client.PostJson($"/api/v1/institutions/{code}/domains/{code}.invalid-test/signing", new { enabled = true })).Json(HttpStatusCode.Conflict);
        Assert.Contains("signing stays off", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(problem["findings"]!.AsArray());
        Assert.All(problem["findings"]!.AsArray(), f => Assert.Equal(["severity", "code", "message", "subject", "position", "area", "observed", "expected", "temporary"],
            f!.AsObject().Select(p => p.Key)));
        var domain = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.invalid-test")).Json(HttpStatusCode.OK);
        Assert.False(domain["signingEnabled"]!.GetValue<bool>());
        var checks = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.invalid-test/checks")).Json(HttpStatusCode.OK);
        Assert.Equal(1, checks["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unsigned_mail_follows_the_institution_policy()
    {
        var client = Host.Client();
        var reject = ServerFixture.NewCode("rej");
        var pass = ServerFixture.NewCode("pass");
        var provider = ServerFixture.NewCode("prov");
        await client.CreateInstitution(reject);
        await client.CreateInstitution(pass, "passUnsigned");
        await client.CreateInstitution(provider, "signWithProviderDomain");
        var message = ApiClient.Message("tickets@unknown.example");

        var rejected = await Host.Client(await client.CreateInstitutionKey(reject)).Sign(message);
        var problem = await rejected.Json(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("unknown.example is not a sender domain of your institution", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("rejected;", rejected.Headers.GetValues("SenderAuth-Signing").Single(), StringComparison.Ordinal);

        var passed = await Host.Client(await client.CreateInstitutionKey(pass)).Sign(message);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal(message, await passed.Content.ReadAsStringAsync());
        Assert.StartsWith("unsigned; reason=", passed.Headers.GetValues("SenderAuth-Signing").Single(), StringComparison.Ordinal);

        var signed = await Host.Client(await client.CreateInstitutionKey(provider)).Sign(message);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.StartsWith("provider-domain; d=ticketing.example; s=stxprovider", signed.Headers.GetValues("SenderAuth-Signing").Single(), StringComparison.Ordinal);
        var output = await signed.Content.ReadAsStringAsync();
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256;", output, StringComparison.Ordinal);
        Assert.EndsWith(message, output, StringComparison.Ordinal);

        // An operator key names the institution whose policy applies; without one the message is refused.
        await (await client.Sign(message)).Json(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.OK, (await client.Sign(message, $"?institution={pass}")).StatusCode);
    }

    [Theory]
    [InlineData("", "the body is empty", null)]
    [InlineData("Subject: no from\r\n\r\nbody\r\n", "no From header", "no-from")]
    [InlineData("From: a@x.example\r\nFrom: b@y.example\r\n\r\nbody\r\n", "2 From headers", "multiple-from")]
    [InlineData("From: a@x.example, b@y.example\r\n\r\nbody\r\n", "2 addresses", "multiple-author-addresses")]
    [InlineData("From: a@x.example\r\n\u2028, Evil <evil@attacker.example>\r\n\r\nbody\r\n", "line 2 (after From) begins with U+2028", "ambiguous-header")]
    [InlineData("\vFrom: Evil <evil@attacker.example>\r\nFrom: a@x.example\r\n\r\nbody\r\n", "(leading-control-character)", "ambiguous-header")]
    public async Task Malformed_messages_are_400_with_the_reason(string message, string reason, string? code)
    {
        var problem = await (await Host.Client().Sign(message)).Json(HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(code, problem["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task Bring_your_own_key_is_checked_and_audited()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("byo");
        await client.CreateInstitution(code);
        var domain = $"{code}.example";
        await client.CreateDomain(code, domain);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var url = $"/api/v1/institutions/{code}/domains/{domain}/keys/stxsel2";
        var imported = await (await client.PutAsJsonAsync(url, new { pem = rsa.ExportPkcs8PrivateKeyPem() })).Json(HttpStatusCode.Created);
        Assert.True(imported["imported"]!.GetValue<bool>());
        Assert.Equal(2048, imported["bits"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), imported["publicKey"]!.GetValue<string>());

        using var weak = System.Security.Cryptography.RSA.Create(512);
        var tooSmall = await (await client.PutAsJsonAsync(url, new { pem = weak.ExportPkcs8PrivateKeyPem() })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("at least 1024", tooSmall["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var garbage = await (await client.PutAsJsonAsync(url, new { pem = "hello" })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("no PEM block", garbage["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // An Ed25519 key is valid PEM but not for the RSA selectors (it would sign what DMARC relies on with a= ed25519).
        using var ed25519 = SenderAuth.Dkim.DkimPrivateKey.Generate(SenderAuth.Dkim.DkimKeyType.Ed25519, 2048);
        var wrongType = await (await client.PutAsJsonAsync(url, new { pem = ed25519.ExportPem() })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("selector stxsel2 signs with RSA: this PEM holds an Ed25519 key", wrongType["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await (await client.PutAsJsonAsync($"/api/v1/institutions/{code}/domains/{domain}/keys/nosuch", new { pem = rsa.ExportPkcs8PrivateKeyPem() })).Json(HttpStatusCode.BadRequest);

        var audit = await (await client.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.Contains(audit["items"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "key.import" && a["subject"]!.GetValue<string>() == $"sel2-{code}._domainkey.dkim.ticketing.example");
        var keys = (await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/keys")).Json(HttpStatusCode.OK))["items"]!;
        Assert.Equal(["published", "revoked", "published"], keys.AsArray().Select(k => k!["state"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task Deleting_a_domain_revokes_its_keys_in_the_provider_zone()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("del");
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.example");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteRead($"/api/v1/institutions/{code}/domains/{code}.example")).StatusCode);
        var zone = await (await client.GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
        var line = zone.Split('\n').Single(l => l.StartsWith($"sel1-{code}._domainkey.dkim", StringComparison.Ordinal));
        Assert.EndsWith("\"v=DKIM1; k=rsa; p=\"", line.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain($"{code}.example._report", zone, StringComparison.Ordinal);
    }

    /// <summary>Every institution-scoped endpoint, called with the other institution's key: 404 (or 403 for operator-only), never data.</summary>
    [Fact]
    public async Task An_institution_key_never_reaches_another_institution()
    {
        var op = Host.Client();
        var a = ServerFixture.NewCode("authza");
        var b = ServerFixture.NewCode("authzb");
        await op.CreateInstitution(a);
        await op.CreateInstitution(b);
        await op.CreateDomain(a, $"{a}.example");
        await op.CreateDomain(b, $"{b}.example");
        var keyA = Host.Client(await op.CreateInstitutionKey(a));
        var keyB = Host.Client(await op.CreateInstitutionKey(b));
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        foreach (var (client, own, other) in new[] { (keyA, a, b), (keyB, b, a) })
        {
            var d = $"{other}.example";
            var calls = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
            {
                ("get institution", () => client.GetAsync($"/api/v1/institutions/{other}")),
                ("patch institution", () => client.PatchJson($"/api/v1/institutions/{other}", new { unsignedPolicy = "passUnsigned" })),
                ("list domains", () => client.GetAsync($"/api/v1/institutions/{other}/domains")),
                ("create domain", () => client.PostJson($"/api/v1/institutions/{other}/domains", new { name = $"x.{other}.example" })),
                ("get domain", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}")),
                ("patch domain", () => client.PatchJson($"/api/v1/institutions/{other}/domains/{d}", new { customMailFrom = true })),
                ("records", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}/records")),
                ("check", () => client.PostAsync($"/api/v1/institutions/{other}/domains/{d}/check", null)),
                ("checks", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}/checks")),
                ("signing", () => client.PostJson($"/api/v1/institutions/{other}/domains/{d}/signing", new { enabled = false })),
                ("keys", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}/keys")),
                ("import key", () => client.PutAsJsonAsync($"/api/v1/institutions/{other}/domains/{d}/keys/stxsel2", new { pem })),
                ("rotation", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}/rotation")),
                ("request rotation", () => client.PostJson($"/api/v1/institutions/{other}/domains/{d}/rotation", new { emergency = true })),
                ("history", () => client.GetAsync($"/api/v1/institutions/{other}/domains/{d}/history")),
                ("delete domain", () => client.DeleteAsync($"/api/v1/institutions/{other}/domains/{d}")),
                // The other institution's own domain through our own code is not found either.
                ("own code, other domain", () => client.GetAsync($"/api/v1/institutions/{own}/domains/{d}")),
            };
            foreach (var (name, call) in calls)
            {
                var response = await call();
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{own} → {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            foreach (var (name, call) in new (string, Func<Task<HttpResponseMessage>>)[]
            {
                ("create institution", () => client.PostJson("/api/v1/institutions", new { code = own + "x", name = "x" })),
                ("delete institution", () => client.DeleteAsync($"/api/v1/institutions/{own}")),
                ("issue api key", () => client.PostJson($"/api/v1/institutions/{own}/api-keys", new { name = "more" })),
                ("provider zone", () => client.GetAsync("/api/v1/provider-zone")),
                ("publish", () => client.PostAsync("/api/v1/provider-zone/publish", null)),
            })
            {
                var response = await call();
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{own} → {name}: {(int)response.StatusCode}");
            }
            var list = await (await client.GetAsync("/api/v1/institutions")).Json(HttpStatusCode.OK);
            Assert.Equal([own], list["items"]!.AsArray().Select(i => i!["code"]!.GetValue<string>()));
            var audit = await (await client.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK);
            Assert.DoesNotContain(audit["items"]!.AsArray(), e => e!["subject"]!.GetValue<string>().Contains(other, StringComparison.Ordinal));
            // Signing for the other institution's domain: not ours, so our policy (reject) applies.
            await (await client.Sign(ApiClient.Message($"tickets@{d}"))).Json(HttpStatusCode.UnprocessableEntity);
        }
        // Nothing was changed by the refused calls.
        var domain = await (await op.GetAsync($"/api/v1/institutions/{b}/domains/{b}.example")).Json(HttpStatusCode.OK);
        Assert.False(domain["customMailFrom"]!.GetValue<bool>());
        Assert.Equal("reject", (await (await op.GetAsync($"/api/v1/institutions/{b}")).Json(HttpStatusCode.OK))["unsignedPolicy"]!.GetValue<string>());
        // The institution key does work on its own institution.
        await (await keyA.GetAsync($"/api/v1/institutions/{a}/domains/{a}.example/records")).Json(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_updates_with_the_same_version_let_exactly_one_win()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("race");
        await client.CreateInstitution(code);
        var etag = (await client.GetAsync($"/api/v1/institutions/{code}")).Headers.ETag!.Tag;
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.PatchJson($"/api/v1/institutions/{code}", new { name = $"writer {i}" }, etag)));
        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Equal(1, codes.Count(c => c == 200));
        Assert.All(codes.Where(c => c != 200), c => Assert.True(c is 409 or 412, $"loser got {c}"));
    }

    /// <summary>SPF is merged into what the domain publishes today (read from the test Knot), never a second record.</summary>
    [Fact]
    public async Task Records_merge_the_spf_record_the_domain_already_has()
    {
        if (TestServers.Get("SENDERAUTH_TEST_DNS") is null)
        {
            Assert.Skip("real DNS server not started: run ./run-tests");
        }
        var client = Host.Client();
        var code = ServerFixture.NewCode("spf");
        await client.CreateInstitution(code);
        static JsonNode Spf(JsonNode created) => created["records"]!["records"]!.AsArray().Single(r => r!["purpose"]!.GetValue<string>() == "spf")!;

        var merged = await client.CreateDomain(code, "noinclude.example");
        Assert.Equal("v=spf1 ip4:198.51.100.0/24 include:spf.ticketing.example -all", Spf(merged)["value"]!.GetValue<string>());
        Assert.Equal("replace", Spf(merged)["action"]!.GetValue<string>());
        Assert.Equal("v=spf1 ip4:198.51.100.0/24 -all", Spf(merged)["current"]!.GetValue<string>());
        Assert.Equal(1, Spf(merged)["dnsLookups"]!.GetValue<int>());

        var kept = await client.CreateDomain(code, "good.example");
        Assert.Equal("keep", Spf(kept)["action"]!.GetValue<string>());

        var tooMany = await client.CreateDomain(code, "toomany.example");
        Assert.Equal(11, Spf(tooMany)["dnsLookups"]!.GetValue<int>());
        Assert.Contains(tooMany["records"]!["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("11 DNS lookups", StringComparison.Ordinal));

        var two = await client.CreateDomain(code, "twospf.example");
        Assert.Contains(two["records"]!["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("2 SPF records", StringComparison.Ordinal));
        Assert.Single(two["records"]!["records"]!.AsArray(), r => r!["purpose"]!.GetValue<string>() == "spf");
    }

    [Fact]
    public async Task A_custom_mail_from_adds_its_mx_and_spf_records()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("mf");
        await client.CreateInstitution(code);
        var created = await (await client.PostJson($"/api/v1/institutions/{code}/domains", new { name = $"{code}.example", customMailFrom = true })).Json(HttpStatusCode.Created);
        var mailFrom = created["records"]!["records"]!.AsArray().Where(r => r!["purpose"]!.GetValue<string>() == "mail-from").ToList();
        Assert.Equal([$"bounce.{code}.example. 3600 IN MX 10 feedback.ticketing.example.", $"bounce.{code}.example. 3600 IN TXT \"v=spf1 include:spf.ticketing.example -all\""],
            mailFrom.Select(r => r!["zoneLine"]!.GetValue<string>()));
        var off = await (await client.PatchJson($"/api/v1/institutions/{code}/domains/{code}.example", new { customMailFrom = false })).Json(HttpStatusCode.OK);
        Assert.False(off["customMailFrom"]!.GetValue<bool>());
        var records = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example/records")).Json(HttpStatusCode.OK);
        Assert.DoesNotContain(records["records"]!.AsArray(), r => r!["purpose"]!.GetValue<string>() == "mail-from");
    }

    [Fact]
    public async Task Operator_keys_are_issued_listed_and_revoked()
    {
        var op = Host.Client();
        var created = await (await op.PostJson("/api/v1/api-keys", new { name = ServerFixture.NewCode("ops"), scopes = new[] { "admin" } })).Json(HttpStatusCode.Created);
        var second = Host.Client(created["key"]!.GetValue<string>());
        await (await second.GetAsync("/api/v1/institutions")).Json(HttpStatusCode.OK);
        var list = await op.AllItems("/api/v1/api-keys");
        var row = list.Single(k => k["name"]!.GetValue<string>() == created["name"]!.GetValue<string>());
        Assert.Equal(created["key"]!.GetValue<string>()[..10], row["prefix"]!.GetValue<string>());
        Assert.DoesNotContain(list, k => k.ToJsonString().Contains(created["key"]!.GetValue<string>(), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/api/v1/api-keys/{row["id"]}")).StatusCode);
        await (await second.GetAsync("/api/v1/institutions")).Json(HttpStatusCode.Unauthorized);
        var audit = await (await op.GetAsync("/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.Contains(audit["items"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "apikey.revoke");

        var code = ServerFixture.NewCode("keys");
        await op.CreateInstitution(code);
        var institution = Host.Client(await op.CreateInstitutionKey(code));
        await (await institution.GetAsync("/api/v1/api-keys")).Json(HttpStatusCode.Forbidden);
        await (await institution.PostJson("/api/v1/api-keys", new { name = "escalate" })).Json(HttpStatusCode.Forbidden);
        // An institution key cannot widen what its mail gets signed with either.
        await (await institution.PatchJson($"/api/v1/institutions/{code}", new { unsignedPolicy = "signWithProviderDomain" })).Json(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_operator_can_publish_the_provider_zone_on_demand()
    {
        var published = await (await Host.Client().PostAsync("/api/v1/provider-zone/publish", null)).Json(HttpStatusCode.OK);
        Assert.Equal("builtin", published["publisher"]!.GetValue<string>());
        Assert.True(published["serial"]!.GetValue<uint>() > 0);
        var zone = await (await Host.Client().GetAsync("/api/v1/provider-zone")).Content.ReadAsStringAsync();
        Assert.Contains($" {published["serial"]} ", zone, StringComparison.Ordinal);
        Assert.Contains("spf\t3600\tIN\tTXT\t\"v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:25::/48 -all\"", zone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_and_history_answer_before_signing_and_refuse_what_cannot_be_done()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("rot");
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.example");
        var rotation = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example/rotation")).Json(HttpStatusCode.OK);
        Assert.Equal("idle", rotation["step"]!.GetValue<string>());
        Assert.Equal("enable signing to start rotating", rotation["next"]!.GetValue<string>());
        var refused = await (await client.PostJson($"/api/v1/institutions/{code}/domains/{code}.example/rotation", new { emergency = true })).Json(HttpStatusCode.Conflict);
        Assert.Contains("does not sign yet", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        await client.PostAsync($"/api/v1/institutions/{code}/domains/{code}.example/check", null);
        var history = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example/history")).Json(HttpStatusCode.OK);
        Assert.Equal("pending", history["state"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(history["reason"]!.GetValue<string>()));
        Assert.NotNull(history["nextCheckAt"]);
        Assert.Empty(history["items"]!.AsArray());
    }

    /// <summary>
    /// Check runs and state changes stored before findings took the one shape (<c>name</c>, <c>advice</c>) are served
    /// with the contract's names, as new ones are.
    /// </summary>
    [Fact]
    public async Task Findings_stored_in_the_old_shape_are_served_with_the_new_names()
    {
        var client = Host.Client();
        var code = ServerFixture.NewCode("old");
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.example");
        const string stored = """[{"area":"mailFrom","severity":"warning","code":"dns-unreachable","advice":"check again","name":"old.example","observed":"Timeout","expected":null,"temporary":true}]""";
        using (var scope = Host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuth.Store.Data.SenderAuthDb>();
            var domain = await db.Domains.SingleAsync(d => d.Name == $"{code}.example", TestContext.Current.CancellationToken);
            var at = DateTime.UtcNow;
            db.CheckRuns.Add(new SenderAuth.Store.Data.CheckRun { DomainId = domain.Id, At = at, Passed = false, Incomplete = true, FindingsJson = stored });
            db.Transitions.Add(new SenderAuth.Store.Data.DomainTransition { DomainId = domain.Id, At = at, From = domain.State, To = domain.State, Reason = "old row", FindingsJson = stored });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var checks = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example/checks")).Json(HttpStatusCode.OK);
        var history = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{code}.example/history")).Json(HttpStatusCode.OK);
        foreach (var finding in new[] { checks["items"]![0]!["findings"]![0]!, history["items"]![0]!["findings"]![0]! })
        {
            Assert.Equal(["severity", "code", "message", "subject", "position", "area", "observed", "expected", "temporary"], finding.AsObject().Select(p => p.Key));
            Assert.Equal("check again", finding["message"]!.GetValue<string>());
            Assert.Equal("old.example", finding["subject"]!.GetValue<string>());
            Assert.Equal("mail-from", finding["area"]!.GetValue<string>());
        }
    }
}

[Trait("Layer", "server")]
[Trait("Needs", "knot")]
public sealed class SqliteApiTests(SqliteServerFixture fixture) : ApiTests(fixture), IClassFixture<SqliteServerFixture>;

[Trait("Layer", "server")]
[Trait("Needs", "knot")]
[Trait("Needs", "postgres")]
public sealed class PostgresApiTests(PostgresServerFixture fixture) : ApiTests(fixture), IClassFixture<PostgresServerFixture>;
