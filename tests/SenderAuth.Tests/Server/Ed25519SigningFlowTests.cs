using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Server.Keys;
using SenderAuth.Server.Monitoring;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Ed25519 beside RSA (RFC 8463) through the API against real DNS: a signing domain turns it on, gets two more
/// CNAMEs to publish (its RSA signing and state untouched meanwhile), publishes them on Knot, and from the next check
/// every message carries both signatures, which our verifier, dkimpy and mailauth all verify with the keys DNS serves
/// through the CNAMEs. The Ed25519 pair then rotates through the same steps as RSA, and turning it off drops it.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "knot")]
[Trait("Needs", "peers")]
[Collection(ProviderZoneCollection.Name)]
public sealed class Ed25519SigningFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enable_publish_sign_both_verify_rotate_disable()
    {
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        // The default steps per pass (4): the emergency rotation below may go from generate to the switch in one pass.
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        // A fresh name each run: Knot's zone outlives the test.
        var code = "ed" + Guid.NewGuid().ToString("N")[..8];
        var domain = $"{code}.{institutionZone}";
        var api = $"/api/v1/institutions/{code}/domains/{domain}";
        await client.CreateInstitution(code);
        await client.CreateDomain(code, domain);
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, await (await client.GetAsync($"{api}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct));
        await (await client.PostJson($"{api}/signing", new { enabled = true })).Json(HttpStatusCode.OK);

        // Off by default: no Ed25519 CNAMEs asked for.
        var off = await (await client.GetAsync($"{api}/ed25519", Ct)).Json(HttpStatusCode.OK);
        Assert.False(off["enabled"]!.GetValue<bool>());
        Assert.DoesNotContain("stxed", await (await client.GetAsync($"{api}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // On: the pair is generated and published, two CNAMEs join the records; nothing signs with it before they are there.
        var waiting = await (await client.PostJson($"{api}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        Assert.True(waiting["enabled"]!.GetValue<bool>());
        Assert.Null(waiting["signingSelector"]);
        Assert.StartsWith("publish the CNAMEs of stxed1 and stxed2", waiting["next"]!.GetValue<string>(), StringComparison.Ordinal);
        var records = await (await client.GetAsync($"{api}/records", Ct)).Json(HttpStatusCode.OK);
        var edRecords = records["records"]!.AsArray().Where(r => r!["name"]!.GetValue<string>().StartsWith("stxed", StringComparison.Ordinal))
            .Select(r => $"{r!["purpose"]!.GetValue<string>()} {r["name"]!.GetValue<string>()} {r["type"]!.GetValue<string>()} {r["value"]!.GetValue<string>()}").ToList();
        Assert.Equal(
            [$"dkim stxed1._domainkey.{domain} CNAME ed1-{code}._domainkey.dkim.ticketing.example.", $"dkim stxed2._domainkey.{domain} CNAME ed2-{code}._domainkey.dkim.ticketing.example."],
            edRecords);
        var pending = await (await client.PostAsync($"{api}/check", null, Ct)).Json(HttpStatusCode.OK);
        Assert.True(pending["passed"]!.GetValue<bool>(), pending.ToJsonString());
        Assert.Contains(pending["findings"]!.AsArray(), f => f!["code"]!.GetValue<string>() == "dkim-cname-missing"
            && f["severity"]!.GetValue<string>() == "warning" && f["subject"]!.GetValue<string>() == $"stxed1._domainkey.{domain}");
        Assert.Equal("verified", (await (await client.GetAsync(api, Ct)).Json(HttpStatusCode.OK))["state"]!.GetValue<string>());
        var before = await (await client.Sign(ApiClient.Message($"tickets@{domain}"))).Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(1, Fields(before));

        // Published: turning it on again checks now and the first Ed25519 selector signs.
        var fragment = await (await client.GetAsync($"{api}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct);
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, string.Join('\n', fragment.Split('\n').Where(l => l.StartsWith("stxed", StringComparison.Ordinal))));
        var on = await (await client.PostJson($"{api}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        Assert.Equal("stxed1", on["signingSelector"]?.GetValue<string>());
        Assert.True((await (await client.GetAsync(api, Ct)).Json(HttpStatusCode.OK))["ed25519Enabled"]!.GetValue<bool>());

        var response = await client.Sign(ApiClient.Message($"tickets@{domain}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The response header names the RSA signature as before: its words do not change for anyone.
        Assert.Equal($"signed; d={domain}; s=stxsel1", response.Headers.GetValues("SenderAuth-Signing").Single());
        var signed = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(2, Fields(signed));
        var resolver = host.Services.GetRequiredService<IDnsResolver>();
        await AssertBothVerifyAsync(resolver, signed, domain, "stxsel1", "stxed1");

        // The private halves: sealed at rest like the RSA keys, never in the API.
        var keys = (await (await client.GetAsync($"{api}/keys", Ct)).Json(HttpStatusCode.OK))["items"]!;
        var edKeys = keys.AsArray().Where(k => k!["algorithm"]!.GetValue<string>() == "ed25519").ToList();
        Assert.Equal(["stxed1 active", "stxed2 published"], edKeys.Select(k => $"{k!["selector"]!.GetValue<string>()} {k["state"]!.GetValue<string>()}"));
        Assert.DoesNotContain("private", keys.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var store = scope.ServiceProvider.GetRequiredService<KeyStore>();
            foreach (var row in await db.Keys.Where(k => k.Algorithm == DkimKeyType.Ed25519 && k.TargetName.StartsWith($"ed1-{code}.")).ToListAsync(Ct))
            {
                using var opened = store.Open(row);
                Assert.Equal(row.PublicKey, Convert.ToBase64String(opened.PublicKey.PublishedBytes));
                var pem = opened.ExportPem();
                var pkcs8 = Convert.FromBase64String(pem[System.Security.Cryptography.PemEncoding.Find(pem).Base64Data]);
                var seed = pkcs8[^32..];
                Assert.False(row.SealedPrivateKey.AsSpan().IndexOf(seed) >= 0, "the Ed25519 seed is stored in clear");
            }
        }

        // Rotation of the Ed25519 pair: the same steps as RSA, an emergency so the TTL wait is skipped.
        var requested = await client.PostJson($"{api}/rotation?key=ed25519", new { emergency = true });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var edGroup = $"ed1-{code}._domainkey.dkim.ticketing.example";
        var step = RotationStep.Idle;
        // Through the scheduler's pass, as the server's timer runs it (issue 24: the switch in the pass that published
        // the new key once saved a stale copy of it).
        for (var pass = 0; pass < 6 && step != RotationStep.Retaining; pass++)
        {
            await host.Services.GetRequiredService<MonitorService>().RunOnceAsync(Ct);
            await using var scope = host.Services.CreateAsyncScope();
            var rotation = await scope.ServiceProvider.GetRequiredService<SenderAuthDb>().Rotations.AsNoTracking().SingleAsync(r => r.GroupTarget == edGroup, Ct);
            Assert.True(rotation.Step != RotationStep.Blocked, rotation.BlockedReason);
            step = rotation.Step;
        }
        Assert.Equal(RotationStep.Retaining, step);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            Assert.Equal(["rotation.generated", "rotation.publishing", "rotation.retaining"],
                await db.Audit.Where(a => a.Subject == edGroup && a.Action.StartsWith("rotation.") && a.Action != "rotation.emergency").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
            var rsaRotation = await db.Rotations.SingleAsync(r => r.GroupTarget == $"sel1-{code}._domainkey.dkim.ticketing.example", Ct);
            Assert.Equal(RotationStep.Idle, rsaRotation.Step);
            var generated = await db.Keys.SingleAsync(k => k.TargetName == $"ed2-{code}._domainkey.dkim.ticketing.example" && k.State == DkimKeyState.Active, Ct);
            Assert.Equal(DkimKeyType.Ed25519, generated.Algorithm);
        }
        var status = await (await client.GetAsync($"{api}/rotation?key=ed25519", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(("retaining", "stxed2"), (status["step"]!.GetValue<string>(), status["signingSelector"]!.GetValue<string>()));
        Assert.Equal("stxsel1", (await (await client.GetAsync($"{api}/rotation", Ct)).Json(HttpStatusCode.OK))["signingSelector"]!.GetValue<string>());
        var rotated = await (await client.Sign(ApiClient.Message($"tickets@{domain}"))).Content.ReadAsByteArrayAsync(Ct);
        await AssertBothVerifyAsync(resolver, rotated, domain, "stxsel1", "stxed2");
        // Mail signed before the switch still verifies: the old Ed25519 key stays published while it retires.
        var old = await new DkimVerifier(resolver).VerifyAsync(signed, Ct);
        Assert.All(old.Signatures, s => Assert.Equal(DkimResult.Pass, s.Result));

        // Off: RSA only again at once, and the CNAMEs leave the records.
        var disabled = await (await client.PostJson($"{api}/ed25519", new { enabled = false })).Json(HttpStatusCode.OK);
        Assert.False(disabled["enabled"]!.GetValue<bool>());
        Assert.Equal(1, Fields(await (await client.Sign(ApiClient.Message($"tickets@{domain}"))).Content.ReadAsByteArrayAsync(Ct)));
        Assert.DoesNotContain("stxed", await (await client.GetAsync($"{api}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains(keys.AsArray(), k => k!["algorithm"]!.GetValue<string>() == "ed25519");

        // Deleted: the Ed25519 pair, kept published while off, is revoked with the RSA keys (no other domain uses it).
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteRead(api)).StatusCode);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var edStates = await db.Keys.Where(k => k.TargetName.StartsWith($"ed1-{code}.") || k.TargetName.StartsWith($"ed2-{code}.")).Select(k => k.State).ToListAsync(Ct);
            Assert.NotEmpty(edStates);
            Assert.All(edStates, state => Assert.Equal(DkimKeyState.Revoked, state));
        }
    }

    /// <summary>
    /// Pending is per domain, not per key pair: the pair is the institution's, so once one domain activated it, a
    /// second domain turning Ed25519 on (or the first turning it off, dropping its CNAMEs and turning it on again) must
    /// still wait for ITS OWN CNAMEs: verified and RSA-signed meanwhile, with no s=stxed1 signature that would fail.
    /// A verified delegation that is lost later stops the second signature, never the domain's state or RSA.
    /// </summary>
    [Fact]
    public async Task Second_domain_and_off_on_again_wait_for_their_own_cnames()
    {
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        // One rotation step per pass, each in its own scope, as the scheduler drives it (and as the test above does).
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Monitoring:MaxStepsPerPass"] = "1" });
        var client = host.Client();
        var code = "ed" + Guid.NewGuid().ToString("N")[..8];
        var first = $"a-{code}.{institutionZone}";
        var second = $"b-{code}.{institutionZone}";
        await client.CreateInstitution(code);
        foreach (var domain in new[] { first, second })
        {
            await client.CreateDomain(code, domain);
            await KnotUpdate.AddAsync(dns, tsig, institutionZone, await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct));
            await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
        }
        string Api(string domain) => $"/api/v1/institutions/{code}/domains/{domain}";
        async Task<List<string>> EdLines(string domain) =>
            [.. (await (await client.GetAsync($"{Api(domain)}/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct)).Split('\n').Where(l => l.StartsWith("stxed", StringComparison.Ordinal))];
        async Task<int> SignedFields(string domain) => Fields(await (await client.Sign(ApiClient.Message($"tickets@{domain}"))).Content.ReadAsByteArrayAsync(Ct));
        async Task AssertPendingAsync(string domain, string because)
        {
            var check = await (await client.PostAsync($"{Api(domain)}/check", null, Ct)).Json(HttpStatusCode.OK);
            Assert.True(check["passed"]!.GetValue<bool>(), $"{because}: {check.ToJsonString()}");
            Assert.Contains(check["findings"]!.AsArray(), f => f!["subject"]!.GetValue<string>() == $"stxed1._domainkey.{domain}" && f["severity"]!.GetValue<string>() == "warning");
            var state = await (await client.GetAsync(Api(domain), Ct)).Json(HttpStatusCode.OK);
            Assert.Equal("verified", state["state"]!.GetValue<string>());
            var status = await (await client.GetAsync($"{Api(domain)}/ed25519", Ct)).Json(HttpStatusCode.OK);
            Assert.True(status["enabled"]!.GetValue<bool>());
            Assert.Null(status["signingSelector"]);
            Assert.Equal(1, await SignedFields(domain));
        }

        // The first domain activates the institution's pair.
        await client.PostJson($"{Api(first)}/ed25519", new { enabled = true });
        var firstCnames = await EdLines(first);
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, string.Join('\n', firstCnames));
        Assert.Equal("stxed1", (await (await client.PostJson($"{Api(first)}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK))["signingSelector"]?.GetValue<string>());
        Assert.Equal(2, await SignedFields(first));

        // A second domain of the same institution: the pair is active, its CNAMEs are not there.
        await (await client.PostJson($"{Api(second)}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        await AssertPendingAsync(second, "second domain");
        var secondCnames = await EdLines(second);
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, string.Join('\n', secondCnames));
        await (await client.PostAsync($"{Api(second)}/check", null, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(2, await SignedFields(second));

        // The first domain's Ed25519 CNAMEs vanish before any check notices: its Ed25519 signature fails, its RSA one
        // passes. The canary judges each pair on its own, so an emergency RSA rotation switches and stays switched
        // (it used to go back to the old, possibly compromised, RSA key because the Ed25519 signature failed).
        await KnotUpdate.SendAsync(dns, tsig, institutionZone, firstCnames.Select(l => "update delete " + l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] + " CNAME"));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var canary = scope.ServiceProvider.GetRequiredService<Canary>();
            Assert.Null(await canary.FailureAsync(first, DkimKeyType.Rsa, Ct));
            Assert.NotNull(await canary.FailureAsync(first, DkimKeyType.Ed25519, Ct));
            Assert.NotNull(await canary.FailureAsync(first, Ct));
        }
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJson($"{Api(first)}/rotation", new { emergency = true })).StatusCode);
        var rsaSteps = new List<RotationStep>();
        for (var pass = 0; pass < 6 && rsaSteps.LastOrDefault() != RotationStep.Retaining; pass++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var rotation = await db.Rotations.SingleAsync(r => r.GroupTarget == $"sel1-{code}._domainkey.dkim.ticketing.example", Ct);
            await scope.ServiceProvider.GetRequiredService<KeyRotator>().AdvanceAsync(rotation, Ct);
            Assert.True(rotation.Step != RotationStep.Blocked, rotation.BlockedReason);
            rsaSteps.Add(rotation.Step);
        }
        Assert.Equal(RotationStep.Retaining, rsaSteps.Last());
        Assert.Equal("stxsel2", (await (await client.GetAsync($"{Api(first)}/rotation", Ct)).Json(HttpStatusCode.OK))["signingSelector"]!.GetValue<string>());

        // Off (its CNAMEs already gone), on again: pending again, not an error and not a failing signature.
        await (await client.PostJson($"{Api(first)}/ed25519", new { enabled = false })).Json(HttpStatusCode.OK);
        Assert.Equal(1, await SignedFields(first));
        await (await client.PostJson($"{Api(first)}/ed25519", new { enabled = true })).Json(HttpStatusCode.OK);
        await AssertPendingAsync(first, "off and on again");

        // A verified delegation lost: the second signature stops, the domain stays verified and RSA-signed.
        await KnotUpdate.SendAsync(dns, tsig, institutionZone, secondCnames.Select(l => "update delete " + l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] + " CNAME"));
        var lost = await (await client.PostAsync($"{Api(second)}/check", null, Ct)).Json(HttpStatusCode.OK);
        Assert.True(lost["passed"]!.GetValue<bool>(), lost.ToJsonString());
        Assert.Contains(lost["findings"]!.AsArray(), f => f!["subject"]!.GetValue<string>() == $"stxed1._domainkey.{second}"
            && f["severity"]!.GetValue<string>() == "warning" && f["message"]!.GetValue<string>().Contains("stops until this is right", StringComparison.Ordinal));
        Assert.Equal("verified", (await (await client.GetAsync(Api(second), Ct)).Json(HttpStatusCode.OK))["state"]!.GetValue<string>());
        Assert.Equal(1, await SignedFields(second));

        // Every switch is in the audit log: who turned it on and off, and what the checks found.
        // Filtered by the server: ?kind= takes digits too, so "ed25519" selects exactly the ed25519.* actions.
        var audit = await (await client.GetAsync($"/api/v1/audit?institution={code}&kind=ed25519&pageSize=100", Ct)).Json(HttpStatusCode.OK);
        var entries = audit["items"]!.AsArray().Select(a => $"{a!["action"]!.GetValue<string>()} {a["subject"]!.GetValue<string>()}").Reverse().ToList();
        Assert.Equal(
            [$"ed25519.enable {first}", $"ed25519.delegated {first}", $"ed25519.enable {second}", $"ed25519.delegated {second}",
             $"ed25519.disable {first}", $"ed25519.enable {first}", $"ed25519.stopped {second}"],
            entries);
    }

    [Fact]
    public async Task Enable_forbidden_by_the_operator_is_refused_and_changes_nothing()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Provider:AllowEd25519"] = "false" });
        var client = host.Client();
        await client.CreateInstitution("edno");
        await client.CreateDomain("edno", "edno.example");
        var refused = await client.PostJson("/api/v1/institutions/edno/domains/edno.example/ed25519", new { enabled = true });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("AllowEd25519", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var status = await (await client.GetAsync("/api/v1/institutions/edno/domains/edno.example/ed25519", Ct)).Json(HttpStatusCode.OK);
        Assert.False(status["enabled"]!.GetValue<bool>());
        Assert.False(status["allowed"]!.GetValue<bool>());
        var keys = (await (await client.GetAsync("/api/v1/institutions/edno/domains/edno.example/keys", Ct)).Json(HttpStatusCode.OK))["items"]!;
        Assert.DoesNotContain(keys.AsArray(), k => k!["algorithm"]!.GetValue<string>() == "ed25519");
        var missing = await client.PostJson("/api/v1/institutions/edno/domains/edno.example/ed25519", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    /// <summary>Both signatures pass with our verifier (over the server's DNS), dkimpy and mailauth (keys as DNS serves them).</summary>
    private static async Task AssertBothVerifyAsync(IDnsResolver resolver, byte[] signed, string domain, string rsaSelector, string edSelector)
    {
        var outcome = await new DkimVerifier(resolver).VerifyAsync(signed, Ct);
        Assert.Equal(
            [$"{rsaSelector} rsa-sha256 pass", $"{edSelector} ed25519-sha256 pass"],
            outcome.Signatures.Select(s => $"{s.Selector} {DkimSignature.AlgorithmToken(s.Algorithm!.Value)} {s.Result.Token()}"));
        Assert.All(outcome.Signatures, s => Assert.Equal(domain, s.Domain));

        var txt = new Dictionary<string, string>();
        foreach (var selector in new[] { rsaSelector, edSelector })
        {
            var name = $"{selector}._domainkey.{domain}";
            txt[name] = (await resolver.QueryAsync(name, DnsRecordType.Txt, Ct)).Of<TxtRecord>().Single().Text;
        }
        var dir = Directory.CreateTempSubdirectory("sa-ed25519-");
        try
        {
            var dnsJson = Path.Combine(dir.FullName, "dns.json");
            await File.WriteAllTextAsync(dnsJson, JsonSerializer.Serialize(txt), Ct);
            var both = Path.Combine(dir.FullName, "both.eml");
            await File.WriteAllBytesAsync(both, signed, Ct);
            // dkimpy's driver verifies the first signature of a file: the message as signed (RSA first), and the same
            // message without its first field (Ed25519 then first; h= never lists DKIM-Signature, so nothing else changes).
            var edOnly = Path.Combine(dir.FullName, "ed-first.eml");
            await File.WriteAllBytesAsync(edOnly, WithoutFirstField(signed), Ct);
            var dkimpy = PeerTool.Get("dkimpy");
            await dkimpy.RequireAsync("ed25519-sha256");
            var answers = await dkimpy.VerifyAsync(dnsJson, dnsJson, both, edOnly);
            Assert.All(answers, a => Assert.True(a.Result == "pass", $"dkimpy: {a.Result} {a.Reason}"));

            var mailauth = PeerTool.Get("mailauth");
            await mailauth.RequireCommandAsync("authenticate");
            var zone = Path.Combine(dir.FullName, "mailauth.json");
            await File.WriteAllTextAsync(zone, JsonSerializer.Serialize(txt.ToDictionary(p => p.Key, p => new Dictionary<string, string[]> { ["TXT"] = [p.Value] })), Ct);
            var theirs = await mailauth.AuthenticateAsync(both, zone, "203.0.113.7", "mta1.ticketing.example", $"bounce@{domain}");
            Assert.Equal(
                new[] { $"{rsaSelector} pass", $"{edSelector} pass" }.Order(StringComparer.Ordinal),
                (theirs.Dkim ?? []).Select(d => $"{d.Selector} {d.Result}").Order(StringComparer.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static int Fields(byte[] message)
    {
        var text = Encoding.ASCII.GetString(message);
        var header = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        return header.Split("\r\n").Count(l => l.StartsWith("DKIM-Signature:", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The message without its first DKIM-Signature field (with its folded lines), wherever it stands.</summary>
    private static byte[] WithoutFirstField(byte[] message)
    {
        var start = 0;
        while (!System.Text.Encoding.ASCII.GetString(message, start, Math.Min(15, message.Length - start)).Equals("DKIM-Signature:", StringComparison.OrdinalIgnoreCase))
        {
            start = Array.IndexOf(message, (byte)'\n', start) + 1;
            Assert.True(start > 0 && message[start] != (byte)'\r', "no DKIM-Signature field in the header");
        }
        var end = start;
        do
        {
            end = Array.IndexOf(message, (byte)'\n', end) + 1;
        }
        while (message[end] is (byte)' ' or (byte)'\t');
        return [.. message[..start], .. message[end..]];
    }

    private static string Env(string name) =>
        TestServers.Get(name) ?? throw SkipException($"{name} is unset (the test Knot is not running): run ./run-tests");

    private static Exception SkipException(string reason)
    {
        Assert.Skip(reason);
        return new InvalidOperationException(reason);
    }
}
