using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SenderAuth.Tests.Server;

/// <summary>
/// Walks the served OpenAPI document: every operation describes its success body with a schema (or answers 204
/// without one), and every operation whose endpoint needs an API key carries the API-key security requirement.
/// What needs a key is read from the endpoints themselves (their authorization metadata), not from the document.
/// </summary>
[Trait("Layer", "server")]
public sealed partial class OpenApiCoverageTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private const string Scheme = "ApiKey";

    [Fact]
    public async Task Document_DeclaresTheApiKeySchemeAsBearer()
    {
        var doc = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var scheme = doc["components"]?["securitySchemes"]?[Scheme];
        Assert.NotNull(scheme);
        Assert.Equal("http", scheme!["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Document_EveryOperation_HasASuccessSchemaAndItsKeyRequirement()
    {
        var doc = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var needKey = KeyedOperations();
        Assert.True(needKey.Count > 40, $"only {needKey.Count} operations need a key");
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Value?["responses"] is not null))
            {
                var name = $"{method.ToUpperInvariant()} {Normalize(path)}";
                seen.Add(name);
                var success = operation!["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).ToList();
                if (success.Count == 0)
                {
                    problems.Add($"{name}: no success response");
                }
                // 204 has no body by definition; every other success names the schema of what it writes.
                foreach (var (status, response) in success.Where(r => r.Key != "204"))
                {
                    var content = response?["content"]?.AsObject();
                    if (content is null || content.Count == 0 || content.Any(c => c.Value?["schema"] is null))
                    {
                        problems.Add($"{name} {status}: no schema");
                    }
                }
                var secured = operation["security"]?.AsArray().Any(r => r?.AsObject().ContainsKey(Scheme) == true) == true;
                if (needKey.Contains(name) && !secured)
                {
                    problems.Add($"{name}: needs an API key, but the document has no {Scheme} requirement");
                }
                if (!needKey.Contains(name) && secured)
                {
                    problems.Add($"{name}: answers without a key, but the document asks for one");
                }
            }
        }
        problems.AddRange(needKey.Where(n => !seen.Contains(n)).Select(n => $"{n}: needs a key but is not in the document"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>"METHOD /path" of every endpoint that authorization guards (and does not let anonymous callers through).</summary>
    private HashSet<string> KeyedOperations() =>
        fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is not null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>A route as the document writes it: no constraints ({id:long} is {id}), no trailing slash.</summary>
    private static string Normalize(string route)
    {
        var path = Constraint().Replace(route, "}");
        path = "/" + path.Trim('/');
        return path;
    }

    [GeneratedRegex(@":[^}]*\}")]
    private static partial Regex Constraint();
}
