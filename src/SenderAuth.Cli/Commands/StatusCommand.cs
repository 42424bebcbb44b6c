using SenderAuth.Json;
using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth status</c>: every domain a key may see on a running server, with its state, why, and where its
/// key rotation stands and what happens next. A client of the HTTP API (the same data as the dashboard).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The server's URL (default: $SENDERAUTH_SERVER, else http://127.0.0.1:8080)." };
        var key = new Option<string>("--key") { Description = "An API key (default: $SENDERAUTH_KEY)." };
        var institution = new Option<string>("--institution") { Description = "Only this institution's domains." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("status", "Domains on a running server: state, reason, signing, rotation step and the next step with its time.\n"
            + "Exit codes: 0 every domain verified, 1 some domain is pending, degraded or failed, 2 bad usage or the server refused the key, 3 the server could not be reached or failed (5xx), 70 internal error.");
        command.Options.Add(server);
        command.Options.Add(key);
        command.Options.Add(institution);
        command.Options.Add(json);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var url = parse.GetValue(server) ?? Environment.GetEnvironmentVariable("SENDERAUTH_SERVER") ?? "http://127.0.0.1:8080";
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("SENDERAUTH_KEY")
                ?? throw new UsageException("an API key is needed: --key or $SENDERAUTH_KEY");
            using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            List<StatusRow> rows;
            try
            {
                rows = await CollectAsync(http, parse.GetValue(institution), ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                CliOutput.Error($"cannot reach {url}: {e.Message}");
                return ExitCodes.Unavailable;
            }
            catch (HttpRequestException e) when ((int?)e.StatusCode >= 500)
            {
                // The server is there but failing: temporary as far as this command can tell, not bad usage.
                CliOutput.Error($"{url} failed: {e.Message}");
                return ExitCodes.Unavailable;
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(rows);
            }
            else
            {
                Print(rows);
            }
            return rows.All(r => Text(r.State) == "verified") ? ExitCodes.Ok : ExitCodes.Negative;
        }));
        return command;
    }

    private static async Task<List<StatusRow>> CollectAsync(HttpClient http, string? only, CancellationToken ct)
    {
        var codes = only is not null ? [only] : (await GetAllAsync(http, "api/v1/institutions", ct).ConfigureAwait(false)).Select(i => (string)i["code"]!).ToList();
        var rows = new List<StatusRow>();
        foreach (var code in codes)
        {
            foreach (var d in await GetAllAsync(http, $"api/v1/institutions/{code}/domains", ct).ConfigureAwait(false))
            {
                var name = (string)d!["name"]!;
                var history = await GetAsync(http, $"api/v1/institutions/{code}/domains/{name}/history?pageSize=1", ct).ConfigureAwait(false);
                var rotation = await GetAsync(http, $"api/v1/institutions/{code}/domains/{name}/rotation", ct).ConfigureAwait(false);
                rows.Add(new StatusRow(code, name, d["state"]?.DeepClone(), history["reason"]?.DeepClone(), history["couldNotCheck"]?.DeepClone(),
                    (bool)d["signingEnabled"]! ? ((bool)history["signingSuspended"]! ? SigningStatus.Suspended : SigningStatus.On) : SigningStatus.Off,
                    rotation["step"]?.DeepClone(), rotation["signingSelector"]?.DeepClone(), rotation["next"]?.DeepClone()));
            }
        }
        return rows;
    }

    /// <summary>Every item of a paged list, page after page (a platform has more than one page of institutions).</summary>
    private static async Task<List<JsonNode>> GetAllAsync(HttpClient http, string path, CancellationToken ct)
    {
        const int size = 200;
        var all = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var answer = await GetAsync(http, $"{path}?page={page}&pageSize={size}", ct).ConfigureAwait(false);
            var items = answer["items"]!.AsArray();
            all.AddRange(items.Select(i => i!));
            if (items.Count < size || all.Count >= (int?)answer["total"])
            {
                return all;
            }
        }
    }

    /// <summary>One answer; a refusal (4xx) is bad usage or a bad key, a failure (5xx) is the server's, told apart by the caller.</summary>
    internal static async Task<JsonNode> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string detail;
            try
            {
                detail = JsonNode.Parse(text)?["detail"]?.ToString() ?? text;
            }
            catch (System.Text.Json.JsonException)
            {
                detail = text.Length > 200 ? text[..200] : text;
            }
            var message = $"{path}: {(int)response.StatusCode} {detail}";
            throw (int)response.StatusCode >= 500 ? new HttpRequestException(message, null, response.StatusCode) : new UsageException(message);
        }
        return JsonNode.Parse(text)!;
    }

    private static void Print(List<StatusRow> rows)
    {
        var table = new Table().RoundedBorder();
        foreach (var column in new[] { "institution", "domain", "state", "signing", "rotation", "selector", "next", "reason" })
        {
            table.AddColumn(column);
        }
        foreach (var r in rows)
        {
            var state = Text(r.State);
            var colour = state switch { "verified" => "green", "pending" => "yellow", "degraded" => "darkorange", _ => "red" };
            var reason = Text(r.Reason);
            table.AddRow(
                Markup.Escape(r.Institution), Markup.Escape(r.Domain),
                $"[{colour}]{Markup.Escape(state)}{((bool?)r.CouldNotCheck == true ? " (could not check)" : "")}[/]",
                SenderAuthJson.Token(r.Signing), Markup.Escape(Text(r.RotationStep)),
                Markup.Escape(r.SigningSelector is null ? "-" : Text(r.SigningSelector)), Markup.Escape(Text(r.Next)), Markup.Escape(reason));
        }
        AnsiConsole.Write(table);
    }

    /// <summary>A pass-through value as text (what the table shows): a string as it is, anything else as its JSON.</summary>
    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";
}
