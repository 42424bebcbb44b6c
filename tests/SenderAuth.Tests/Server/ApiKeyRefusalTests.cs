using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Server.Access;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The API-key scheme's own answers (its challenge and its forbid) are ProblemDetails written by the one mapping
/// of typed errors (ErrorResponses): the same title, detail and traceId shape as every endpoint's refusal.
/// </summary>
[Trait("Layer", "server")]
public sealed class ApiKeyRefusalTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("sa_not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Challenge_MissingUnknownOrNotBearer_Is401ProblemWithBearerChallenge(string? authorization)
    {
        var client = fixture.Host.Client(null);
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization.StartsWith("sa_", StringComparison.Ordinal) ? "Bearer " + authorization : authorization);
        }
        var response = await client.GetAsync("/api/v1/institutions");
        var problem = await response.Json(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(401, problem["status"]!.GetValue<int>());
        Assert.Equal("Unauthorized", problem["title"]!.GetValue<string>());
        Assert.Equal("a valid API key is required: Authorization: Bearer <key>", problem["detail"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Forbid_ApiKeyScheme_Is403ProblemOfTheRefusedKind()
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, TraceIdentifier = "trace-forbid" };
        http.Response.Body = new MemoryStream();
        await scope.ServiceProvider.GetRequiredService<IAuthenticationService>().ForbidAsync(http, ApiKeyAuthenticationHandler.SchemeName, null);
        Assert.Equal(403, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType, StringComparison.Ordinal);
        Assert.False(http.Response.Headers.ContainsKey("WWW-Authenticate"));
        http.Response.Body.Position = 0;
        var problem = JsonNode.Parse(http.Response.Body)!;
        Assert.Equal(403, problem["status"]!.GetValue<int>());
        Assert.Equal("Forbidden", problem["title"]!.GetValue<string>());
        Assert.Equal("this needs an operator key", problem["detail"]!.GetValue<string>());
        Assert.Equal("trace-forbid", problem["traceId"]!.GetValue<string>());
    }
}
