using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth audit</c>: the audit log of a running server, newest first, as the key may see it (an operator key
/// every entry, an institution key its institution's), filtered as GET /api/v1/audit filters. A client of the API.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The server's URL (default: $SENDERAUTH_SERVER, else http://127.0.0.1:8080)." };
        var key = new Option<string>("--key") { Description = "An API key with the admin scope (default: $SENDERAUTH_KEY)." };
        var institution = new Option<string>("--institution") { Description = "Only this institution's entries (operator keys; an institution key always sees only its own)." };
        var kind = new Option<string>("--kind") { Description = "Only this kind: an action such as domain.delete, or its first part such as auth or session." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Entries at or after this time (ISO 8601; UTC unless an offset is given)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Entries before this time." };
        var limit = new Option<int>("--limit") { Description = "At most this many entries, newest first (default 100, up to 10000).", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print JSON (a list of the API's entries) instead of a table." };
        var command = new Command("audit", "The audit log of a running server: who (key id, name, client address), which institution, what and when.\n"
            + "Exit codes: 0 listed, 2 bad usage or the server refused the key (403 names the missing scope), 3 the server could not be reached or failed (5xx), 70 internal error.");
        foreach (var o in new Option[] { server, key, institution, kind, from, to, limit, json })
        {
            command.Options.Add(o);
        }
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var url = parse.GetValue(server) ?? Environment.GetEnvironmentVariable("SENDERAUTH_SERVER") ?? "http://127.0.0.1:8080";
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("SENDERAUTH_KEY")
                ?? throw new UsageException("an API key is needed: --key or $SENDERAUTH_KEY");
            var max = parse.GetValue(limit);
            if (max is < 1 or > 10_000)
            {
                throw new UsageException("--limit is 1 to 10000");
            }
            using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            var query = Query(parse.GetValue(institution), parse.GetValue(kind), parse.GetValue(from), parse.GetValue(to));
            List<AuditEntryView> entries;
            try
            {
                entries = await ServerApi.GetAllAsync<AuditEntryView>(http, "api/v1/audit" + query, ct, max).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                CliOutput.Error($"cannot reach {url}: {e.Message}");
                return ExitCodes.Unavailable;
            }
            catch (HttpRequestException e) when ((int?)e.StatusCode >= 500)
            {
                CliOutput.Error($"{url} failed: {e.Message}");
                return ExitCodes.Unavailable;
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(entries);
            }
            else
            {
                Print(entries);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Query(string? institution, string? kind, DateTimeOffset? from, DateTimeOffset? to)
    {
        var parts = new List<string>();
        if (institution is not null)
        {
            parts.Add("institution=" + Uri.EscapeDataString(institution));
        }
        if (kind is not null)
        {
            parts.Add("kind=" + Uri.EscapeDataString(kind));
        }
        if (from is { } f)
        {
            parts.Add("from=" + Uri.EscapeDataString(f.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        }
        if (to is { } t)
        {
            parts.Add("to=" + Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static void Print(List<AuditEntryView> entries)
    {
        var table = new Table().RoundedBorder();
        foreach (var column in new[] { "at (UTC)", "action", "subject", "institution", "actor", "key", "client", "detail" })
        {
            table.AddColumn(column);
        }
        foreach (var e in entries)
        {
            var action = e.Action;
            var colour = action.StartsWith("auth.", StringComparison.Ordinal) || action.EndsWith("-failed", StringComparison.Ordinal) || action.EndsWith("-refused", StringComparison.Ordinal) ? "red" : "default";
            table.AddRow(e.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), $"[{colour}]{Markup.Escape(action)}[/]", Markup.Escape(e.Subject), Markup.Escape(e.Institution ?? "-"),
                Markup.Escape(e.Actor), e.KeyId?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(e.Client ?? "-"), Markup.Escape(e.Detail ?? ""));
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"{entries.Count} entries");
    }
}
