using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Each kind of error a service returns, as clients see it: the status, the content type and the whole problem
/// body (RFC 9457), byte for byte except the request's trace id. These bodies are the contract API clients parse.
/// </summary>
[Trait("Layer", "server")]
public sealed partial class ErrorMappingTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Invalid_field_is_400_naming_the_field()
    {
        var response = await fixture.Host.Client().PostRaw("/api/v1/institutions", "{\"code\":\"MOSA\",\"name\":\"x\"}");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest,
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.1\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"\\\"MOSA\\\" is not an institution code: use 2 to 32 lower-case letters, digits or '-', starting with a letter (e.g. mosa)\",\"field\":\"code\",\"traceId\":\"*\"}");
    }

    [Fact]
    public async Task Invalid_request_without_a_field_is_400_without_field()
    {
        var response = await fixture.Host.Client().PostRaw("/api/v1/institutions", "null");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest,
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.1\",\"title\":\"Bad request\",\"status\":400,\"detail\":\"the body is empty (null)\",\"traceId\":\"*\"}");
    }

    [Fact]
    public async Task Not_found_is_404()
    {
        var response = await fixture.Host.Client().GetAsync("/api/v1/institutions/no-such-one");
        await AssertProblemAsync(response, HttpStatusCode.NotFound,
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.5\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no institution \\\"no-such-one\\\"\",\"traceId\":\"*\"}");
    }

    [Fact]
    public async Task Conflict_is_409_with_the_field_when_there_is_one()
    {
        var client = fixture.Host.Client();
        var code = ServerFixture.NewCode("conflict");
        await client.CreateInstitution(code);
        var again = await client.PostJson("/api/v1/institutions", new { code, name = "again" });
        await AssertProblemAsync(again, HttpStatusCode.Conflict,
            $"{{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.10\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"institution \\\"{code}\\\" exists\",\"field\":\"code\",\"traceId\":\"*\"}}");

        await client.CreateDomain(code, $"{code}.example");
        var rotate = await client.PostAsync($"/api/v1/institutions/{code}/domains/{code}.example/rotation", null);
        await AssertProblemAsync(rotate, HttpStatusCode.Conflict,
            $"{{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.10\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"{code}.example does not sign yet: enable signing first\",\"traceId\":\"*\"}}");
    }

    [Fact]
    public async Task Refused_is_403()
    {
        var client = fixture.Host.Client();
        var code = ServerFixture.NewCode("refused");
        await client.CreateInstitution(code);
        var own = fixture.Host.Client(await client.CreateInstitutionKey(code));
        var response = await own.PostJson("/api/v1/institutions", new { code = "other", name = "Other" });
        await AssertProblemAsync(response, HttpStatusCode.Forbidden,
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.4\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"this needs an operator key\",\"traceId\":\"*\"}");
    }

    [Fact]
    public async Task Stale_version_is_412()
    {
        var client = fixture.Host.Client();
        var code = ServerFixture.NewCode("stale");
        await client.CreateInstitution(code);
        var response = await client.PatchJson($"/api/v1/institutions/{code}", new { name = "Renamed" }, "\"999\"");
        var body = await AssertProblemAsync(response, HttpStatusCode.PreconditionFailed, null);
        Assert.Matches("^\\{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.13\",\"title\":\"Precondition failed\",\"status\":412,"
            + "\"detail\":\"the resource changed since you read it: read it again \\(GET, for its ETag\\) and retry\",\"traceId\":\"\\*\"\\}$", body);
    }

    [Fact]
    public async Task Json_body_too_large_is_413()
    {
        var client = fixture.Host.Client();
        var large = new StringContent(new string(' ', 1024 * 1024 + 1), Encoding.UTF8, "application/json");
        await AssertProblemAsync(await client.PostAsync("/api/v1/institutions", large), HttpStatusCode.RequestEntityTooLarge,
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.14\",\"title\":\"Payload too large\",\"status\":413,\"detail\":\"the JSON body is larger than 1048576 bytes\",\"traceId\":\"*\"}");
    }

    [Fact]
    public async Task Signing_refused_for_a_wrong_delegation_is_409_with_the_findings()
    {
        var client = fixture.Host.Client();
        var code = ServerFixture.NewCode("blocked");
        await client.CreateInstitution(code);
        await client.CreateDomain(code, $"{code}.invalid-test");
        var response = await client.PostJson($"/api/v1/institutions/{code}/domains/{code}.invalid-test/signing", new { enabled = true });
        var body = JsonNode.Parse(await AssertProblemAsync(response, HttpStatusCode.Conflict, null))!.AsObject();
        Assert.Equal(["type", "title", "status", "detail", "findings", "traceId"], body.Select(p => p.Key));
        Assert.Equal("The DKIM delegation is not correct", body["title"]!.GetValue<string>());
        Assert.StartsWith($"signing stays off for {code}.invalid-test: ", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(body["findings"]!.AsArray());
    }

    /// <summary>Asserts status and content type, and the body with its trace id masked; returns the masked body.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var masked = TraceId().Replace(text, "\"traceId\":\"*\"");
        if (expected is not null)
        {
            Assert.Equal(expected, masked);
        }
        return masked;
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}
