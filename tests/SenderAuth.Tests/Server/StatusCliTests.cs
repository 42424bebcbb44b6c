using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Server;

/// <summary>`senderauth status` against a server listening on a real loopback port (WebApplicationFactory with Kestrel).</summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class StatusCliTests
{
    [Fact]
    public async Task Status_lists_domains_with_state_and_rotation_and_exits_by_health()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var client = host.Client();
        await client.CreateInstitution("stat");
        await client.CreateDomain("stat", "stat.example");
        await (await client.PostAsync("/api/v1/institutions/stat/domains/stat.example/check", null)).Json(HttpStatusCode.OK);
        var url = host.ServerAddress;

        var (exit, output, error) = await CliRunner.RunAsync(null, "status", "--server", url, "--key", ServerHost.OperatorKey, "--json");
        Assert.True(exit == 1, $"exit {exit}: {error}");
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        var row = Assert.Single(rows, r => r.GetProperty("domain").GetString() == "stat.example");
        Assert.Equal("pending", row.GetProperty("state").GetString());
        Assert.Equal("off", row.GetProperty("signing").GetString());
        Assert.Equal("idle", row.GetProperty("rotationStep").GetString());
        Assert.Equal("enable signing to start rotating", row.GetProperty("next").GetString());
        Assert.False(string.IsNullOrEmpty(row.GetProperty("reason").GetString()));

        var (tableExit, table, _) = await CliRunner.RunAsync(null, "status", "--server", url, "--key", ServerHost.OperatorKey, "--institution", "stat");
        Assert.Equal(1, tableExit);
        Assert.Contains("stat.example", table, StringComparison.Ordinal);
        Assert.Contains("pending", table, StringComparison.Ordinal);

        var (badKey, _, keyError) = await CliRunner.RunAsync(null, "status", "--server", url, "--key", "sa_wrong");
        Assert.Equal(2, badKey);
        Assert.Contains("401", keyError, StringComparison.Ordinal);
        var (down, _, downError) = await CliRunner.RunAsync(null, "status", "--server", "http://127.0.0.1:9", "--key", "x");
        Assert.Equal(3, down);
        Assert.Contains("cannot reach", downError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusJson_IsAListOfNamedRowsInTheContract()
    {
        await using var host = await ServerHost.StartAsync("sqlite", kestrel: true);
        var client = host.Client();
        await client.CreateInstitution("shape");
        await client.CreateVerifiedDomain("shape", "shape.example");

        var (exit, output, error) = await CliRunner.RunAsync(null, "status", "--server", host.ServerAddress, "--key", ServerHost.OperatorKey, "--json");
        Assert.True(exit is 0 or 1, $"exit {exit}: {error}");
        var row = Assert.Single(JsonNode.Parse(output)!.AsArray())!.AsObject();
        // Every field, in this order, always present (nulls written): the view's names are the public contract.
        Assert.Equal(["institution", "domain", "state", "reason", "couldNotCheck", "signing", "rotationStep", "signingSelector", "next"], row.Select(p => p.Key));
        Assert.Equal(("shape", "shape.example"), ((string?)row["institution"], (string?)row["domain"]));
        // Enums as the contract's tokens, the same words the API writes for the same domain.
        var api = await (await client.GetAsync("/api/v1/institutions/shape/domains/shape.example")).Json(HttpStatusCode.OK);
        var rotation = await (await client.GetAsync("/api/v1/institutions/shape/domains/shape.example/rotation")).Json(HttpStatusCode.OK);
        Assert.Equal((string?)api["state"], (string?)row["state"]);
        Assert.Equal((string?)rotation["step"], (string?)row["rotationStep"]);
        Assert.Equal((string?)rotation["next"], (string?)row["next"]);
        Assert.Contains((string?)row["signing"], new[] { "on", "off", "suspended" });
        Assert.Equal(JsonValueKind.False, row["couldNotCheck"]!.GetValueKind());
        Assert.Contains(row["signingSelector"]?.GetValueKind() ?? JsonValueKind.Null, new[] { JsonValueKind.Null, JsonValueKind.String });
    }

    [Fact]
    public async Task Status_MoreInstitutionsThanOnePage_ListsTheLastOnesToo()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Limits:RequestsPerSecond"] = "100000", ["SenderAuth:Limits:Burst"] = "100000" }, kestrel: true);
        var client = host.Client();
        // 201 institutions: the one with a domain sorts last, on the second page of 200.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.CreateInstitution($"pg{i:D3}")));
        await client.CreateInstitution("zzlast");
        await client.CreateDomain("zzlast", "zzlast.example");
        var (exit, output, error) = await CliRunner.RunAsync(null, "status", "--server", host.ServerAddress, "--key", ServerHost.OperatorKey, "--json");
        Assert.True(exit == 1, $"exit {exit}: {error}");
        Assert.Contains(JsonDocument.Parse(output).RootElement.EnumerateArray(), r => r.GetProperty("domain").GetString() == "zzlast.example");
    }
}
