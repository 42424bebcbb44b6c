using System.Net;
using System.Text.Json;
using SenderAuth.Tests.Server;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// <c>Logging:Format=json</c> on the real process: every log line is one JSON object; a request's lines carry the
/// W3C trace id the client sent (traceparent) in their scopes, with the request path; the server's own messages
/// carry event ids from its scheme (Hosting/LogEvents).
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class JsonLogTests
{
    private const string OperatorKey = "json-log-test-operator-key-0123456789abc";

    [Fact]
    public async Task Serve_JsonLogging_RequestLineHasTraceId_OwnLinesHaveEventIds()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("sa-jsonlog-");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["serve", "--data", data.FullName, "--dns", "127.0.0.1:0", "--Logging:Format=json",
                 "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information"], OperatorKey, null, ct);
            const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            using var op = server.Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/institutions/no-such-code");
            request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
            using var response = await op.SendAsync(request, ct);
            var problem = await response.Json(HttpStatusCode.NotFound);
            Assert.Contains(traceId, problem["traceId"]!.GetValue<string>(), StringComparison.Ordinal);

            // The request's "Request finished" line (hosting logs it once the response is written).
            JsonElement? finished = null;
            for (var i = 0; i < 100 && finished is null; i++)
            {
                finished = JsonLines(server).Where(l => l.GetProperty("EventId").GetInt32() == 2 && Scopes(l).Any(s => Is(s, "TraceId", traceId)))
                    .Select(l => (JsonElement?)l).FirstOrDefault();
                if (finished is null)
                {
                    await Task.Delay(100, ct);
                }
            }
            Assert.True(finished is not null, $"no JSON 'Request finished' line with TraceId {traceId} in:\n{server.LogTail(40)}");
            var line = finished.Value;
            Assert.Equal("Microsoft.AspNetCore.Hosting.Diagnostics", line.GetProperty("Category").GetString());
            Assert.Contains(Scopes(line), s => Is(s, "RequestPath", "/api/v1/institutions/no-such-code"));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("Timestamp").GetString());

            // The server's own start-up lines: JSON too, each with an event id in the feature blocks (1000-2499).
            var own = JsonLines(server).Where(l => l.GetProperty("Category").GetString()!.StartsWith("SenderAuth.", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(own);
            Assert.All(own, l => Assert.InRange(l.GetProperty("EventId").GetInt32(), 1000, 2499));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>The log lines that are JSON objects; every line that is not the banner (printed on stdout) must be one.</summary>
    private static List<JsonElement> JsonLines(ServerProcess server)
    {
        var lines = new List<JsonElement>();
        foreach (var text in server.Log.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (!text.StartsWith('{'))
            {
                // The banner and the first-run key are printed to the console, not logged: its title, its indented lines.
                Assert.True(text.Length == 0 || text == "SenderAuth server" || text.StartsWith("  ", StringComparison.Ordinal), $"a log line that is not JSON: {text}");
                continue;
            }
            using var doc = JsonDocument.Parse(text);
            lines.Add(doc.RootElement.Clone());
        }
        return lines;
    }

    private static IEnumerable<JsonElement> Scopes(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes) ? scopes.EnumerateArray() : [];

    private static bool Is(JsonElement scope, string name, string value) =>
        scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == value;
}
