using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Data;

namespace SenderAuth.Tests.Server.Domains;

/// <summary>
/// The operator's domain-claims list over rows written directly: the resolution column read through its enum (the
/// words stored before it was one, and a word this release does not know), and the list's paging.
/// </summary>
[Trait("Layer", "server")]
public sealed class DomainClaimTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolution_StoredWords_ReadBackAndUnknownWordIsKept()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        await client.CreateInstitution("claimant");
        var claimant = await InstitutionId(host, "claimant");
        // The words the column held when it was a string, an open claim, and a word no release of ours writes.
        await InsertClaims(host, claimant, [("old-transfer.example", "transferred"), ("old-dismiss.example", "dismissed"),
            ("open.example", null), ("odd.example", "withdrawn")]);

        var listed = await (await client.GetAsync("/api/v1/domain-claims?open=false", Ct)).Json(HttpStatusCode.OK);
        var byDomain = listed["items"]!.AsArray().ToDictionary(c => c!["domain"]!.GetValue<string>(), c => c!["resolution"]);
        Assert.Equal("transferred", byDomain["old-transfer.example"]!.GetValue<string>());
        Assert.Equal("dismissed", byDomain["old-dismiss.example"]!.GetValue<string>());
        Assert.Null(byDomain["open.example"]);
        Assert.Equal("unknown", byDomain["odd.example"]!.GetValue<string>());

        // The odd row is resolved: a transfer is refused naming it, a dismissal changes nothing, and its word stays.
        var odd = await ClaimId(host, "odd.example");
        var refused = await (await client.PostAsync($"/api/v1/domain-claims/{odd}/transfer", null, Ct)).Json(HttpStatusCode.Conflict);
        Assert.Contains("already resolved (unknown)", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var dismissed = await (await client.PostAsync($"/api/v1/domain-claims/{odd}/dismiss", null, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal("unknown", dismissed["resolution"]!.GetValue<string>());
        Assert.Equal("withdrawn", await StoredWord(host, "odd.example"));

        // A new resolution is stored as the same word as before the enum.
        var open = await ClaimId(host, "open.example");
        var closed = await (await client.PostAsync($"/api/v1/domain-claims/{open}/dismiss", null, Ct)).Json(HttpStatusCode.OK);
        Assert.Equal("dismissed", closed["resolution"]!.GetValue<string>());
        Assert.Equal("dismissed", await StoredWord(host, "open.example"));
    }

    [Fact]
    public async Task List_ManyClaims_IsPagedNewestFirstWithTheTotal()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        await client.CreateInstitution("pager");
        var claimant = await InstitutionId(host, "pager");
        // More than the 500 the list used to stop at, and one resolved claim that the default (open only) leaves out.
        await InsertClaims(host, claimant, [.. Enumerable.Range(1, 503).Select(i => ($"c{i:D3}.example", (string?)null)), ("closed.example", "dismissed")]);

        var first = await (await client.GetAsync("/api/v1/domain-claims?pageSize=200", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(["items", "page", "pageSize", "total"], first.AsObject().Select(p => p.Key));
        Assert.Equal((1, 200, 503), (first["page"]!.GetValue<int>(), first["pageSize"]!.GetValue<int>(), first["total"]!.GetValue<int>()));
        Assert.Equal(200, first["items"]!.AsArray().Count);
        Assert.Equal("c503.example", first["items"]![0]!["domain"]!.GetValue<string>());
        Assert.Equal("pager", first["items"]![0]!["claimant"]!.GetValue<string>());

        var last = await (await client.GetAsync("/api/v1/domain-claims?page=3&pageSize=200", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(["c003.example", "c002.example", "c001.example"], last["items"]!.AsArray().TakeLast(3).Select(c => c!["domain"]!.GetValue<string>()));
        Assert.Equal(103, last["items"]!.AsArray().Count);

        var all = await (await client.GetAsync("/api/v1/domain-claims?open=false", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal((504, 50), (all["total"]!.GetValue<int>(), all["items"]!.AsArray().Count));
        Assert.Equal("closed.example", all["items"]![0]!["domain"]!.GetValue<string>());

        var tooBig = await (await client.GetAsync("/api/v1/domain-claims?pageSize=201", Ct)).Json(HttpStatusCode.BadRequest);
        Assert.Contains("pageSize must be between 1 and 200", tooBig.ToJsonString(), StringComparison.Ordinal);
    }

    internal static async Task<long> InstitutionId(ServerHost host, string code)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        return await db.Institutions.Where(i => i.Code == code).Select(i => i.Id).SingleAsync(Ct);
    }

    internal static async Task InsertClaims(ServerHost host, long claimant, IEnumerable<(string Domain, string? Resolution)> claims)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        foreach (var (domain, resolution) in claims)
        {
            var resolvedAt = resolution is null ? null : "2026-11-02 00:00:00";
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO DomainClaims (DomainName, ClaimantInstitutionId, ChallengeToken, At, Attempts, ResolvedAt, Resolution)
                VALUES ({domain}, {claimant}, {"token-" + domain}, '2026-11-01 00:00:00', 1, {resolvedAt}, {resolution})
                """, Ct);
        }
    }

    private static async Task<long> ClaimId(ServerHost host, string domain)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        return await db.DomainClaims.Where(c => c.DomainName == domain).Select(c => c.Id).SingleAsync(Ct);
    }

    private static async Task<string?> StoredWord(ServerHost host, string domain)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
        return await db.Database.SqlQuery<string?>($"SELECT Resolution AS Value FROM DomainClaims WHERE DomainName = {domain}").SingleAsync(Ct);
    }
}
