using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Server;

/// <summary>`senderauth audit` against a server listening on a real loopback port (WebApplicationFactory with Kestrel).</summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class AuditCliTests
{
    [Fact]
    public async Task Audit_lists_filtered_entries_and_an_institution_sees_its_own_only()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var op = host.Client();
        await op.CreateInstitution("auda");
        await op.CreateInstitution("audb");
        await op.CreateDomain("auda", "auda.example");
        await op.CreateDomain("audb", "audb.example");
        var keyA = await op.CreateInstitutionKey("auda");
        var signOnly = await op.CreateInstitutionKey("auda", "sign");
        var url = host.ServerAddress;

        var (exit, output, error) = await CliRunner.RunAsync(null, "audit", "--server", url, "--key", ServerHost.OperatorKey, "--kind", "domain", "--json");
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var entries = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["audb.example", "auda.example"], entries.Select(e => e.GetProperty("subject").GetString()));
        Assert.All(entries, e => Assert.Equal("domain.create", e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e.GetProperty("client").GetString()));

        var (ownExit, own, ownError) = await CliRunner.RunAsync(null, "audit", "--server", url, "--key", keyA, "--json");
        Assert.True(ownExit == 0, $"exit {ownExit}: {ownError}");
        Assert.All(JsonDocument.Parse(own).RootElement.EnumerateArray(), e => Assert.Equal("auda", e.GetProperty("institution").GetString()));
        var (otherExit, _, otherError) = await CliRunner.RunAsync(null, "audit", "--server", url, "--key", keyA, "--institution", "audb");
        Assert.Equal(2, otherExit);
        Assert.Contains("404", otherError, StringComparison.Ordinal);

        var (table, text, _) = await CliRunner.RunAsync(null, "audit", "--server", url, "--key", ServerHost.OperatorKey, "--institution", "auda", "--limit", "3");
        Assert.Equal(0, table);
        Assert.Contains("3 entries", text, StringComparison.Ordinal);

        var (refused, _, refusedError) = await CliRunner.RunAsync(null, "audit", "--server", url, "--key", signOnly);
        Assert.Equal(2, refused);
        Assert.Contains("lacks the scope \"admin\"", refusedError, StringComparison.Ordinal);
        var refusals = await (await op.GetAsync("/api/v1/audit?kind=auth.scope-refused&institution=auda")).Json(HttpStatusCode.OK);
        Assert.Contains(refusals["items"]!.AsArray(), e => e!["subject"]!.GetValue<string>() == "GET /api/v1/audit");
    }

    [Fact]
    public async Task AuditJson_IsAListOfTheApisEntriesInTheContract()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var op = host.Client();
        await op.CreateInstitution("audshape");
        await op.CreateDomain("audshape", "audshape.example");

        var (exit, output, error) = await CliRunner.RunAsync(null, "audit", "--server", host.ServerAddress, "--key", ServerHost.OperatorKey, "--institution", "audshape", "--json");
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var entries = JsonNode.Parse(output)!.AsArray().Select(e => e!.AsObject()).ToList();
        var api = (await (await op.GetAsync("/api/v1/audit?institution=audshape")).Json(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(api.Count, entries.Count);
        Assert.NotEmpty(entries);
        foreach (var (entry, fromApi) in entries.Zip(api))
        {
            // The API's fields in the API's order, nulls written, and the same values.
            Assert.Equal(["id", "at", "actor", "keyId", "client", "institution", "action", "subject", "detail"], entry.Select(p => p.Key));
            Assert.True(JsonNode.DeepEquals(fromApi, entry), $"{fromApi!.ToJsonString()} vs {entry.ToJsonString()}");
            Assert.Equal(JsonValueKind.Number, entry["id"]!.GetValueKind());
            var at = (string)entry["at"]!;
            Assert.EndsWith("Z", at, StringComparison.Ordinal);
            Assert.Equal(DateTimeKind.Utc, DateTime.Parse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal).Kind);
            Assert.Equal("audshape", (string?)entry["institution"]);
        }
        Assert.Contains(entries, e => (string?)e["action"] == "domain.create" && (string?)e["subject"] == "audshape.example");
    }
}
