using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SenderAuth.Server.Domains;
using SenderAuth.Store.Domains;
using SenderAuth.Store.Data;
using SenderAuth.Server.Hosting;
using SenderAuth.Store.Hosting;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// A provider zone that cannot be published degrades the server instead of stopping it, and a record that cannot
/// exist in DNS is left out of the zone (flagged on its domain) instead of failing the zone for everyone.
/// </summary>
[Trait("Layer", "server")]
public sealed class PublishDegradeTests
{
    [Fact]
    public async Task Start_with_an_unreachable_dns_server_serves_and_says_why_it_is_not_ready()
    {
        var settings = new Dictionary<string, string?>
        {
            ["SenderAuth:Publishing:Mode"] = "rfc2136",
            // Port 9 (discard) on loopback: nothing answers, as a primary that is down.
            ["SenderAuth:Publishing:Rfc2136Server"] = "127.0.0.1:9",
            ["SenderAuth:Publishing:TsigKeyName"] = "test-key",
            ["SenderAuth:Publishing:TsigSecret"] = Convert.ToBase64String(new byte[32]),
        };
        await using var host = await ServerHost.StartAsync("sqlite", settings);
        var client = host.Client();
        var ready = await client.GetAsync("/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var text = await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("Unhealthy: the provider zone could not be published", text, StringComparison.Ordinal);
        Assert.Contains("retrying in the background", text, StringComparison.Ordinal);
        // The rest of the server serves: the API answers and records the event.
        await client.CreateInstitution(ServerFixture.NewCode("deg"));
        var audit = await (await client.GetAsync("/api/v1/audit", TestContext.Current.CancellationToken)).Json(HttpStatusCode.OK);
        Assert.Contains(audit["items"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "zone.publish-failed");
        Assert.NotNull(host.Services.GetRequiredService<ZonePublishingService>().LastFailure);
    }

    [Fact]
    public void Every_name_of_a_domain_is_checked_and_the_error_names_the_record()
    {
        var provider = new ServerOptions().Provider;
        provider.ApplyDefaults();
        var ok = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 16), "example");
        Assert.Equal(216, ok.Length);
        Assert.Null(PublishedNames.Problem(ok, "mosa", provider));
        var tooLong = ok.Replace("dddddddddddddddd", "ddddddddddddddddd", StringComparison.Ordinal);
        var problem = PublishedNames.Problem(tooLong, "mosa", provider);
        Assert.NotNull(problem);
        Assert.StartsWith($"the report-authorisation record {tooLong}._report._dmarc.rua.ticketing.example would be 254 characters long", problem, StringComparison.Ordinal);
        // A selector template holding the domain makes the key name the first to overflow.
        provider.Selectors[0] = new("stxsel1", "{domain}-key1");
        Assert.Contains("DKIM key record (selector target) for stxsel1", PublishedNames.Problem(ok, "mosa", provider), StringComparison.Ordinal);
        provider.Selectors[0] = new("stxsel1", "sel1-{code}");
        provider.MailFromDomain = "a-much-longer-bounce-prefix-for-tests.{domain}";
        Assert.Contains("custom MAIL FROM record", PublishedNames.Problem(ok, "mosa", provider), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_that_cannot_be_published_is_left_out_and_flagged_on_its_domain_only()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        var good = ServerFixture.NewCode("pub");
        var bad = ServerFixture.NewCode("pub");
        await client.CreateInstitution(good);
        await client.CreateInstitution(bad);
        await client.CreateVerifiedDomain(good, $"{good}.example");
        var longName = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 21), "example");
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var institution = db.Institutions.Single(i => i.Code == bad);
            db.Domains.Add(new SenderDomain { InstitutionId = institution.Id, Name = longName, CreatedAt = DateTime.UtcNow, ChallengeToken = "x", VerifiedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var published = await (await client.PostAsync("/api/v1/provider-zone/publish", null, TestContext.Current.CancellationToken)).Json(HttpStatusCode.OK);
        Assert.True(published["records"]!.GetValue<int>() > 0);
        var zone = await (await client.GetAsync("/api/v1/provider-zone", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"{good}.example._report._dmarc.rua", zone, StringComparison.Ordinal);
        Assert.DoesNotContain(longName, zone, StringComparison.Ordinal);
        var flagged = await (await client.GetAsync($"/api/v1/institutions/{bad}/domains/{longName}", TestContext.Current.CancellationToken)).Json(HttpStatusCode.OK);
        Assert.Contains("is 258 characters long", flagged["publishProblem"]!.GetValue<string>(), StringComparison.Ordinal);
        var clean = await (await client.GetAsync($"/api/v1/institutions/{good}/domains/{good}.example", TestContext.Current.CancellationToken)).Json(HttpStatusCode.OK);
        Assert.Null(clean["publishProblem"]);
        var ready = await client.GetAsync("/ready", TestContext.Current.CancellationToken);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Public_suffix_list_unset_is_fine_and_a_missing_path_given_is_refused_at_start()
    {
        // Unset: Debian's copy or the built-in one, so a fresh machine needs no setup; a path named must exist.
        var options = new ServerOptions();
        Assert.DoesNotContain(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("Domains:PublicSuffixList", StringComparison.Ordinal));
        options.Domains.PublicSuffixList = "/nonexistent/public_suffix_list.dat";
        Assert.Contains(OptionsCheck.Validate(options).Failures ?? [], f => f.Contains("SenderAuth:Domains:PublicSuffixList", StringComparison.Ordinal));
    }
}
