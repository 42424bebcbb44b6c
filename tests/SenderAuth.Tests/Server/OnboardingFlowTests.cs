using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The whole onboarding against real DNS: the server computes the records, the test publishes them into the
/// institution's zone on Knot by UPDATE (as the institution's DNS host would), the check reads them back through
/// Knot and the provider zone (built-in server, or Knot updated by RFC 2136), signing is enabled, a message is
/// signed, and our verifier and dkimpy verify it with the key DNS serves through the CNAME.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "knot")]
[Trait("Needs", "peers")]
[Trait("Needs", "postgres")]
[Collection(ProviderZoneCollection.Name)]
public sealed class OnboardingFlowTests
{
    private static int _counter;

    public static TheoryData<string, string> Modes => new() { { "builtin", "sqlite" }, { "rfc2136", "sqlite" }, { "builtin", "postgres" } };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Create_publish_check_enable_sign_verify(string publishing, string database)
    {
        var dns = Env("SENDERAUTH_TEST_DNS");
        var tsig = Env("SENDERAUTH_TEST_TSIG").Split(':', 3);
        var institutionZone = Env("SENDERAUTH_TEST_INSTITUTION_ZONE");
        if (database == "postgres" && !ServerHost.PostgresAvailable)
        {
            Assert.Skip("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests");
        }
        var settings = new Dictionary<string, string?>();
        var providerZone = "ticketing.example";
        if (publishing == "rfc2136")
        {
            providerZone = Env("SENDERAUTH_TEST_SERVER_ZONE");
            settings["SenderAuth:Publishing:Mode"] = "rfc2136";
            settings["SenderAuth:Publishing:Rfc2136Server"] = dns;
            settings["SenderAuth:Publishing:TsigKeyName"] = tsig[1];
            settings["SenderAuth:Publishing:TsigSecret"] = tsig[2];
            settings["SenderAuth:Provider:Zone"] = providerZone;
            settings["SenderAuth:Provider:DkimZone"] = "dkim." + providerZone;
            settings["SenderAuth:Provider:SpfInclude"] = "spf." + providerZone;
            settings["SenderAuth:Provider:ReportAddress"] = "mailto:{code}@rua." + providerZone;
        }
        await using var host = await ServerHost.StartAsync(database, settings);
        var client = host.Client();
        var n = Interlocked.Increment(ref _counter);
        var code = $"flow{publishing[0]}{database[0]}{n}";
        var domain = $"{code}.{institutionZone}";
        await client.CreateInstitution(code);
        await client.CreateDomain(code, domain);

        var fragment = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/records?format=zone")).Content.ReadAsStringAsync();
        await KnotUpdate.AddAsync(dns, tsig, institutionZone, fragment);

        var check = await (await client.PostAsync($"/api/v1/institutions/{code}/domains/{domain}/check", null)).Json(HttpStatusCode.OK);
        Assert.True(check["dkimDelegated"]!.GetValue<bool>(), check.ToJsonString());
        Assert.True(check["passed"]!.GetValue<bool>(), check.ToJsonString());
        var state = await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}")).Json(HttpStatusCode.OK);
        Assert.Equal("verified", state["state"]!.GetValue<string>());

        var enabled = await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = true })).Json(HttpStatusCode.OK);
        Assert.True(enabled["signingEnabled"]!.GetValue<bool>());

        var signatures = 0L;
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SenderAuth.Server" && instrument.Name == "senderauth.signatures")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref signatures, value));
        meters.Start();
        var message = ApiClient.Message($"tickets@{domain}");
        var response = await client.Sign(message);
        Assert.True(Interlocked.Read(ref signatures) >= 1, "the signature was not counted in the metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"signed; d={domain}; s=stxsel1", response.Headers.GetValues("SenderAuth-Signing").Single());
        var signed = await response.Content.ReadAsByteArrayAsync();

        // Receivers' view: the institution's zone on Knot, the provider zone from where the server publishes it.
        var resolver = host.Services.GetRequiredService<IDnsResolver>();
        var outcome = await new DkimVerifier(resolver).VerifyAsync(signed, TestContext.Current.CancellationToken);
        var signature = Assert.Single(outcome.Signatures);
        Assert.True(signature.Result == DkimResult.Pass, $"{signature.Result} {signature.Reason} {signature.Detail}");
        Assert.Equal(domain, signature.Domain);

        // Disabled again: the next message follows the institution's policy (reject), at once on this instance.
        await (await client.PostJson($"/api/v1/institutions/{code}/domains/{domain}/signing", new { enabled = false })).Json(HttpStatusCode.OK);
        var after = await client.Sign(message);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, after.StatusCode);
        Assert.Contains($"signing is not enabled for {domain}", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var keys = (await (await client.GetAsync($"/api/v1/institutions/{code}/domains/{domain}/keys")).Json(HttpStatusCode.OK))["items"]!;
        Assert.Equal(["active", "published"], keys.AsArray().Select(k => k!["state"]!.GetValue<string>()).ToArray());

        var keyName = $"stxsel1._domainkey.{domain}";
        var txt = (await resolver.QueryAsync(keyName, DnsRecordType.Txt, TestContext.Current.CancellationToken)).Of<TxtRecord>().Single().Text;
        var dkimpy = PeerTool.Get("dkimpy");
        await dkimpy.RequireAsync("rsa-sha256");
        var dir = Directory.CreateTempSubdirectory("sa-flow-");
        try
        {
            var file = Path.Combine(dir.FullName, "signed.eml");
            await File.WriteAllBytesAsync(file, signed, TestContext.Current.CancellationToken);
            var json = Path.Combine(dir.FullName, "dns.json");
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new Dictionary<string, string> { [keyName] = txt }), TestContext.Current.CancellationToken);
            var answer = Assert.Single(await dkimpy.VerifyAsync(json, json, file));
            Assert.True(answer.Result == "pass", $"dkimpy: {answer.Result} {answer.Reason}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Env(string name) =>
        TestServers.Get(name) ?? throw SkipException($"{name} is unset (the test Knot is not running): run ./run-tests");

    private static Exception SkipException(string reason)
    {
        Assert.Skip(reason);
        return new InvalidOperationException(reason);
    }
}
