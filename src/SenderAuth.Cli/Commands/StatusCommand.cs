using SenderAuth.Json;
using System.CommandLine;
using System.Net.Http.Headers;
using Spectre.Console;
using SenderAuth.Store.Data;

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
            List<StatusView> rows;
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
            return rows.All(r => r.State == DomainState.Verified) ? ExitCodes.Ok : ExitCodes.Negative;
        }));
        return command;
    }

    private static async Task<List<StatusView>> CollectAsync(HttpClient http, string? only, CancellationToken ct)
    {
        var codes = only is not null ? [only] : (await ServerApi.GetAllAsync<InstitutionAnswer>(http, "api/v1/institutions", ct).ConfigureAwait(false)).Select(i => i.Code).ToList();
        var rows = new List<StatusView>();
        foreach (var code in codes)
        {
            foreach (var d in await ServerApi.GetAllAsync<DomainAnswer>(http, $"api/v1/institutions/{code}/domains", ct).ConfigureAwait(false))
            {
                var history = await ServerApi.GetAsync<HistoryAnswer>(http, $"api/v1/institutions/{code}/domains/{d.Name}/history?pageSize=1", ct).ConfigureAwait(false);
                var rotation = await ServerApi.GetAsync<RotationAnswer>(http, $"api/v1/institutions/{code}/domains/{d.Name}/rotation", ct).ConfigureAwait(false);
                var signing = !d.SigningEnabled ? SigningStatus.Off : history.SigningSuspended ? SigningStatus.Suspended : SigningStatus.On;
                rows.Add(new StatusView(code, d.Name, d.State, history.Reason, history.CouldNotCheck, signing, rotation.Step, rotation.SigningSelector, rotation.Next));
            }
        }
        return rows;
    }

    private static void Print(List<StatusView> rows)
    {
        var table = new Table().RoundedBorder();
        foreach (var column in new[] { "institution", "domain", "state", "signing", "rotation", "selector", "next", "reason" })
        {
            table.AddColumn(column);
        }
        foreach (var r in rows)
        {
            var colour = r.State switch { DomainState.Verified => "green", DomainState.Pending => "yellow", DomainState.Degraded => "darkorange", _ => "red" };
            table.AddRow(
                Markup.Escape(r.Institution), Markup.Escape(r.Domain),
                $"[{colour}]{Markup.Escape(SenderAuthJson.Token(r.State))}{(r.CouldNotCheck ? " (could not check)" : "")}[/]",
                SenderAuthJson.Token(r.Signing), Markup.Escape(SenderAuthJson.Token(r.RotationStep)),
                Markup.Escape(r.SigningSelector ?? "-"), Markup.Escape(r.Next), Markup.Escape(r.Reason ?? ""));
        }
        AnsiConsole.Write(table);
    }
}
