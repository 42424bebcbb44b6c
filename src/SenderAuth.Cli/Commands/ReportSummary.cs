using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Json;
using SenderAuth.Store.Data;
using SenderAuth.Store.Domains;
using SenderAuth.Store.Reports.Analysis;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth report summary DOMAIN --db</c>: what the server's database holds for a domain: volume and DMARC
/// pass rate per period, the sources by attribution, findings and the advisor's next steps. The same analysis
/// as the API's, read directly from the database.
/// </summary>
internal static class ReportSummary
{
    public static Command Create()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "A sender domain of the server (Unicode or A-label)." };
        var db = new Option<bool>("--db") { Description = "Read the server's database (required: the summary is of what was imported)." };
        var data = new Option<string>("--data") { Description = "The server's data folder (SQLite). Default: ./data" };
        var database = new Option<string>("--database") { Description = "sqlite (default) or postgres" };
        var connectionString = new Option<string>("--connection-string") { Description = "The PostgreSQL connection string" };
        var period = new Option<string>("--period") { Description = "day, week (default) or month", DefaultValueFactory = _ => "week" };
        var from = new Option<string>("--from") { Description = "First day, YYYY-MM-DD (default: the advisor's window up to the newest report)" };
        var to = new Option<string>("--to") { Description = "Last day, YYYY-MM-DD" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var includeUntrusted = new Option<bool>("--include-untrusted") { Description = "Count untrusted reports too (uploads, mail that did not pass DMARC for its reporter); by default they are listed, not counted." };
        var command = new Command("summary", "Summarize a domain's imported reports: volume and pass rates per period, sources, findings, next policy step.\n"
            + "Exit codes: 0 nothing is an error, 1 a finding is an error (our own mail failing), 2 bad usage or unknown domain, 3 the database cannot be reached (try again), 70 internal error or a migration that failed (rolled back; the line names it).");
        command.Arguments.Add(domain);
        foreach (var o in new Option[] { db, data, database, connectionString, period, from, to, json, includeUntrusted })
        {
            command.Options.Add(o);
        }
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            if (!parse.GetValue(db))
            {
                throw new UsageException("report summary reads the server's database: add --db (and --data or --database/--connection-string)");
            }
            if (!SenderAuthJson.TryParse<ReportPeriod>(parse.GetValue(period), out var p))
            {
                throw new UsageException("--period must be day, week or month");
            }
            if (!NameRules.TryDomain(parse.GetValue(domain)!, out var name, out var error))
            {
                throw new UsageException($"DOMAIN: {error}");
            }
            var window = (From: Day(parse.GetValue(from), "--from"), To: Day(parse.GetValue(to), "--to"));
            var (services, exit) = await CliStore.OpenAsync(new StoreTarget(parse.GetValue(data), parse.GetValue(database), parse.GetValue(connectionString)), ct).ConfigureAwait(false);
            if (services is null)
            {
                return exit;
            }
            await using (services.ConfigureAwait(false))
            {
                using var scope = services.CreateScope();
                var store = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
                var row = await store.Domains.AsNoTracking().Include(d => d.Institution).FirstOrDefaultAsync(d => d.Name == name, ct).ConfigureAwait(false)
                    ?? throw new UsageException($"{name} is not a sender domain in this database");
                var analysis = scope.ServiceProvider.GetRequiredService<ReportAnalysis>();
                analysis.IncludeUntrusted |= parse.GetValue(includeUntrusted);
                var (f, t) = await analysis.WindowAsync(row, window.From, window.To, ct).ConfigureAwait(false);
                var untrusted = await store.Reports.AsNoTracking().Where(r => r.DomainId == row.Id && !r.Trusted && r.Begin < t.AddDays(1) && r.End >= f)
                    .OrderByDescending(r => r.Id).Take(50).Select(r => new UntrustedReportView(r.ReporterOrg, r.ReportId, r.Provenance, r.ProvenanceDetail, r.Origin, r.MessageCount))
                    .ToListAsync(ct).ConfigureAwait(false);
                var summary = await analysis.SummaryAsync(row.Institution!, row, f, t, p, ct).ConfigureAwait(false);
                var (sources, findings, advice) = await analysis.ReviewAsync(row.Institution!, row, f, t, ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    CliOutput.WriteJson(new ReportSummaryView(summary, [.. sources.Select(SummarySourceView.From)], findings, advice,
                        new UntrustedReportsView(analysis.IncludeUntrusted, untrusted)));
                }
                else
                {
                    Print(summary, sources, findings, advice);
                    if (untrusted.Count > 0)
                    {
                        AnsiConsole.MarkupLine($"[yellow]{untrusted.Count} untrusted report(s) {(analysis.IncludeUntrusted ? "counted above (--include-untrusted)" : "not counted above")}:[/]");
                        foreach (var u in untrusted)
                        {
                            AnsiConsole.MarkupLine(Markup.Escape($"  {u.Org} {u.ReportId}: {SenderAuth.Store.Reports.ReportProvenanceRules.Label(u.Provenance)}, {u.Messages:N0} messages ({u.Detail}; {u.Origin})"));
                        }
                    }
                }
                return findings.Any(x => x.Severity == FindingSeverity.Error) ? ExitCodes.Negative : ExitCodes.Ok;
            }
        }));
        return command;
    }

    private static DateTime? Day(string? value, string option) =>
        value is null ? null
        : DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc)
            : throw new UsageException($"{option} must be a date as YYYY-MM-DD, not \"{value}\"");

    private static void Print(DomainSummary s, IReadOnlyList<AttributedSource> sources, IReadOnlyList<ReportFinding> findings, PolicyAdvice advice)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(s.Domain)}[/] {s.From:yyyy-MM-dd} to {s.To:yyyy-MM-dd}: {s.Total.Messages:N0} messages on {s.DaysWithData} day(s), DMARC pass {Rate(s.Total.DmarcPassRate)}");
        var table = new Table().Border(TableBorder.Rounded).AddColumn(SenderAuthJson.Token(s.Period))
            .AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("DMARC pass").RightAligned())
            .AddColumn(new TableColumn("DKIM aligned").RightAligned()).AddColumn(new TableColumn("SPF aligned").RightAligned())
            .AddColumn(new TableColumn("quarantine").RightAligned()).AddColumn(new TableColumn("reject").RightAligned());
        foreach (var b in s.Buckets)
        {
            table.AddRow(b.Label, $"{b.Stats.Messages:N0}", Rate(b.Stats.DmarcPassRate), Rate(b.Stats.DkimAlignedRate), Rate(b.Stats.SpfAlignedRate),
                $"{b.Stats.DispositionQuarantine:N0}", $"{b.Stats.DispositionReject:N0}");
        }
        AnsiConsole.Write(table);
        var bySource = new Table().Border(TableBorder.Rounded).AddColumn("source").AddColumn("category").AddColumn("name")
            .AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("DMARC pass").RightAligned()).AddColumn("reporters");
        foreach (var src in sources.Take(15))
        {
            bySource.AddRow(src.Source.Ip, SenderAuthJson.Token(src.Category), Markup.Escape(src.Name ?? ""), $"{src.Source.Messages:N0}", Rate(src.Source.Messages == 0 ? null : src.PassRate),
                Markup.Escape(string.Join(", ", src.Source.Reporters)));
        }
        AnsiConsole.Write(bySource);
        if (sources.Count > 15)
        {
            AnsiConsole.MarkupLine($"… and {sources.Count - 15} more sources (--json lists them all)");
        }
        foreach (var f in findings)
        {
            var colour = f.Severity switch { FindingSeverity.Error => "red", FindingSeverity.Warning => "yellow", _ => "blue" };
            AnsiConsole.MarkupLine($"[{colour}]{f.Severity.Token()}[/] {Markup.Escape(f.Code)}: {Markup.Escape(f.Title)}. {Markup.Escape(f.Observed)}.");
            AnsiConsole.MarkupLine($"  {Markup.Escape(f.Message)}");
        }
        foreach (var step in new[] { advice.Dmarc, advice.Spf })
        {
            var head = step.Next is null ? "nothing to do" : step.Ready ? $"ready for {step.Next}" : $"not yet ready for {step.Next}";
            AnsiConsole.MarkupLine($"[bold]{SenderAuthJson.Token(step.Area).ToUpperInvariant()}[/] now {Markup.Escape(step.Current)}: {Markup.Escape(head)}");
            if (step.Ready && step.Record is not null)
            {
                AnsiConsole.MarkupLine($"  publish at {Markup.Escape(step.RecordName)}: {Markup.Escape(step.Record)}");
            }
            foreach (var b in step.Blockers)
            {
                AnsiConsole.MarkupLine($"  - {Markup.Escape(b)}");
            }
        }
    }

    private static string Rate(double? rate) => rate is { } r ? r.ToString("0.0%", CultureInfo.InvariantCulture) : "-";
}
