using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SenderAuth.Tests.Server;

/// <summary>Small helpers over HttpClient: JSON in, JSON out, and the status asserted with the body shown on failure.</summary>
public static class ApiClient
{
    public static async Task<JsonNode> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>
    /// Every item of a paged list (<c>{items, page, pageSize, total}</c>), page after page, checking on the way that
    /// each page is the one asked for and that the pages add up to the total with no item twice.
    /// </summary>
    public static async Task<List<JsonNode>> AllItems(this HttpClient client, string url, int pageSize = 200, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var items = new List<JsonNode>();
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; ; page++)
        {
            var list = await (await client.GetAsync($"{url}{separator}page={page}&pageSize={pageSize}", ct)).Json(HttpStatusCode.OK);
            Assert.Equal(page, list["page"]!.GetValue<int>());
            Assert.Equal(pageSize, list["pageSize"]!.GetValue<int>());
            var shown = list["items"]!.AsArray();
            items.AddRange(shown.Select(i => i!.DeepClone()));
            var total = list["total"]!.GetValue<int>();
            if (shown.Count < pageSize || items.Count >= total)
            {
                Assert.Equal(total, items.Count);
                Assert.Equal(items.Count, items.Select(i => i.ToJsonString()).Distinct().Count());
                return items;
            }
        }
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> Sign(this HttpClient client, string message, string? query = null) =>
        client.PostAsync("/api/v1/messages/sign" + query, new ByteArrayContent(Encoding.UTF8.GetBytes(message)) { Headers = { { "Content-Type", "message/rfc822" } } });

    public static async Task CreateInstitution(this HttpClient client, string code, string? policy = null)
    {
        var body = policy is null ? (object)new { code, name = $"Institution {code}" } : new { code, name = $"Institution {code}", unsignedPolicy = policy };
        await (await client.PostJson("/api/v1/institutions", body)).Json(HttpStatusCode.Created);
    }

    /// <summary>An institution key with the given scopes (default admin: everything the institution may do).</summary>
    public static async Task<string> CreateInstitutionKey(this HttpClient client, string code, params string[] scopes)
    {
        var created = await (await client.PostJson($"/api/v1/institutions/{code}/api-keys", new { name = scopes.Length == 0 ? "admin" : string.Join('-', scopes), scopes = scopes.Length == 0 ? ["admin"] : scopes })).Json(HttpStatusCode.Created);
        return created["key"]!.GetValue<string>();
    }

    /// <summary>DELETE with If-Match set to the ETag a GET of the same URL answers now (deletes are never blind).</summary>
    public static async Task<HttpResponseMessage> DeleteRead(this HttpClient client, string url)
    {
        using var read = await client.GetAsync(url);
        var request = new HttpRequestMessage(HttpMethod.Delete, url);
        if (read.Headers.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag.Tag);
        }
        return await client.SendAsync(request);
    }

    public static async Task<JsonNode> CreateDomain(this HttpClient client, string code, string domain) =>
        await (await client.PostJson($"/api/v1/institutions/{code}/domains", new { name = domain })).Json(HttpStatusCode.Created);

    /// <summary>
    /// Registers a domain and has the operator vouch for it (the domain is then verified: its reports are attributed,
    /// its report-authorisation record published), for tests about what comes after ownership. Operator clients only.
    /// </summary>
    public static async Task<JsonNode> CreateVerifiedDomain(this HttpClient client, string code, string domain)
    {
        var created = await client.CreateDomain(code, domain);
        var name = created["domain"]!["name"]!.GetValue<string>();
        await (await client.PostJson($"/api/v1/institutions/{code}/domains/{name}/verify", new { operatorOverride = true, reason = "test fixture" })).Json(HttpStatusCode.OK);
        return created;
    }

    public static string Message(string from, string subject = "Your ticket") =>
        $"From: Tickets <{from}>\r\nTo: visitor@example.net\r\nSubject: {subject}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nSee you at the museum.\r\n";

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
