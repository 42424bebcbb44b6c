using System.Net;
using System.Text.Json.Nodes;

namespace SenderAuth.Tests.Server;

/// <summary>The OpenAPI document derives responses from the endpoints' TypedResults, not from restated .Produces calls.</summary>
[Trait("Layer", "server")]
public sealed class OpenApiDocumentTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Theory]
    [InlineData("/api/v1/institutions/{code}/domains/{domain}", "get", "200", "DomainDto")]
    [InlineData("/api/v1/institutions/{code}/domains", "post", "201", "DomainCreated")]
    [InlineData("/api/v1/institutions", "post", "201", "InstitutionDto")]
    [InlineData("/api/v1/webhooks/{id}/test", "post", "202", "WebhookTestQueued")]
    [InlineData("/api/v1/institutions/{code}/domains/{domain}/rotation", "get", "200", "RotationStatus")]
    public async Task Document_TypedResultsEndpoint_DescribesItsSuccessBody(string path, string method, string status, string schema)
    {
        var doc = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var response = doc["paths"]![path]![method]!["responses"]![status];
        Assert.NotNull(response);
        var reference = response!["content"]!["application/json"]!["schema"]!["$ref"]?.GetValue<string>();
        Assert.Equal($"#/components/schemas/{schema}", reference);
    }

    [Fact]
    public async Task Document_DeleteEndpoint_Is204WithoutBody()
    {
        var doc = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var responses = doc["paths"]!["/api/v1/institutions/{code}/domains/{domain}"]!["delete"]!["responses"]!.AsObject();
        Assert.True(responses.ContainsKey("204"), string.Join(", ", responses.Select(r => r.Key)));
        Assert.Null(responses["204"]!["content"]);
    }

    /// <summary>The check's findings are described with the names they are written with: the one Finding's, then the check's own (docs/check.md).</summary>
    [Fact]
    public async Task Document_CheckFinding_HasTheFindingNames()
    {
        var doc = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var findings = doc["components"]!["schemas"]!["CheckDto"]!["properties"]!["findings"]!["items"]!["$ref"]!.GetValue<string>();
        var schema = doc["components"]!["schemas"]![findings.Split('/')[^1]]!;
        Assert.Equal(["severity", "code", "message", "subject", "position", "area", "observed", "expected", "temporary"], schema["properties"]!.AsObject().Select(p => p.Key));
    }
}
