using System.CommandLine;
using System.Globalization;
using SenderAuth.Reports;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth report FILE…</c>: summaries of DMARC aggregate reports (xml, xml.gz, zip, eml).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var files = new Argument<FileSystemInfo[]>("FILE")
        {
            Description = "Aggregate reports: .xml, .xml.gz, .zip or an .eml carrying them (with --db also a folder: its files).", Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var db = new Option<bool>("--db") { Description = "Import the files into the server's database (deduplicated; foreign reports kept apart; broken files quarantined in the data folder) instead of summarizing them." };
        var data = new Option<string>("--data") { Description = "With --db: the server's data folder (SQLite database, quarantine). Default: ./data" };
        var database = new Option<string>("--database") { Description = "With --db: sqlite (default) or postgres" };
        var connectionString = new Option<string>("--connection-string") { Description = "With --db: the PostgreSQL connection string (Npgsql form); the server's other settings come from the environment as for serve (SenderAuth__…, SENDERAUTH_MASTER_KEY)" };
        var command = new Command("report", "Summarize DMARC aggregate reports (RFC 9990, RFC 7489): messages by disposition, DMARC pass rate, sources; or import them into the server's database (--db).\n"
            + "Exit codes: 0 every file parsed, 2 a file was unreadable or refused (one line per file on stderr; the others are still summarized), 70 internal error.\n"
            + "With --db: 0 every file imported (duplicates and foreign reports included), 1 a file was quarantined or refused (the others are imported), "
            + "2 bad usage, a missing file, an invalid server configuration or a database from a newer release (nothing imported), 3 the database cannot be reached (try again), 70 internal error or a migration that failed (rolled back; the line names it).");
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.Options.Add(db);
        command.Options.Add(data);
        command.Options.Add(database);
        command.Options.Add(connectionString);
        command.Subcommands.Add(ReportSummary.Create());
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var target = new StoreTarget(parse.GetValue(data), parse.GetValue(database), parse.GetValue(connectionString));
            if (parse.GetValue(db))
            {
                return await ReportImport.RunAsync(parse.GetValue(files)!, target, parse.GetValue(json), ct).ConfigureAwait(false);
            }
            if (target != new StoreTarget(null, null, null))
            {
                throw new UsageException("--data, --database and --connection-string choose the database of --db: add --db to import");
            }
            var parser = new DmarcReportParser();
            var summaries = new List<DmarcReportSummary>();
            var errors = new List<ReportErrorView>();
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    summaries.AddRange(await parser.SummarizeFileAsync(file.FullName, ct).ConfigureAwait(false));
                }
                catch (DmarcReportException e)
                {
                    errors.Add(new ReportErrorView(file.FullName, e.Kind.Code(), e.Line == 0 ? null : e.Line, e.Column == 0 ? null : e.Column, e.Message));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add(new ReportErrorView(file.FullName, "unreadable", null, null, $"{file.FullName}: {e.Message}"));
                }
            }
            foreach (var e in errors)
            {
                CliOutput.Error(e.Message);
            }
            var combined = DmarcReportSummary.Combine(summaries);
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(new ReportOutputView([.. summaries.Select(ReportView.From)], ReportView.From(combined), errors));
            }
            else
            {
                foreach (var s in summaries)
                {
                    Print(s);
                }
                if (summaries.Count != 1)
                {
                    Print(combined);
                }
            }
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Usage;
        }));
        return command;
    }

    private static void Print(DmarcReportSummary s)
    {
        if (s.Header is { } h)
        {
            var m = h.Metadata;
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(m.OrgName)}[/] report {Markup.Escape(m.ReportId)} for [bold]{Markup.Escape(h.Policy.Domain)}[/], "
                + $"{m.Begin:yyyy-MM-dd HH:mm} to {m.End:yyyy-MM-dd HH:mm} UTC  ({Markup.Escape(s.Source ?? "")})");
            AnsiConsole.MarkupLine($"policy p={Markup.Escape(h.Policy.Policy?.Token() ?? "-")} sp={Markup.Escape(h.Policy.SubdomainPolicy?.Token() ?? "-")}"
                + $" adkim={h.Policy.DkimAlignment?.Token() ?? "r"} aspf={h.Policy.SpfAlignment?.Token() ?? "r"}");
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]Combined[/]: {s.Reports} report(s)");
        }
        var dispositions = string.Join(", ", s.Dispositions.Select(d => $"{d.Key.Token()} {d.Value:N0}"));
        AnsiConsole.MarkupLine($"{s.Messages:N0} messages in {s.Records:N0} records: {Markup.Escape(dispositions)}; "
            + $"DMARC pass {s.DmarcPass:N0} ({Percent(s.PassRate)})");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("source IP").AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("DMARC pass").RightAligned())
            .AddColumn(new TableColumn("SPF aligned").RightAligned()).AddColumn(new TableColumn("DKIM aligned").RightAligned());
        foreach (var src in s.Sources)
        {
            table.AddRow(src.Ip.ToString(), $"{src.Messages:N0}", Percent(src.PassRate), Fraction(src.SpfAligned, src.Messages), Fraction(src.DkimAligned, src.Messages));
        }
        AnsiConsole.Write(table);
        foreach (var w in s.Warnings)
        {
            AnsiConsole.MarkupLine($"[yellow]warning[/] {Markup.Escape(s.Source ?? "")} {Markup.Escape(w.Position)}: {Markup.Escape(w.Code)}: {Markup.Escape(w.Message)}");
        }
        Console.Out.WriteLine();
    }

    private static string Percent(double rate) => rate.ToString("0.0%", CultureInfo.InvariantCulture);

    private static string Fraction(long part, long whole) => $"{part:N0} ({Percent(whole == 0 ? 0 : (double)part / whole)})";
}

/// <summary>The JSON of <c>senderauth report --json</c> (field names are a public contract).</summary>
internal sealed record ReportOutputView(IReadOnlyList<ReportView> Reports, ReportView Combined, IReadOnlyList<ReportErrorView> Errors);

/// <param name="Error">
/// The parser's error code (<see cref="DmarcReportErrors"/>, the mapping the contract registers for
/// <see cref="DmarcReportErrorKind"/>) or <c>unreadable</c> when the file could not be read at all: one field over two
/// sets of words, so a string rather than an enum (written since before this contract).
/// </param>
internal sealed record ReportErrorView(string File, string Error, int? Line, int? Column, string Message);

/// <summary>The published policy a report states, under the record's own tag names; the contract writes the tokens.</summary>
internal sealed record ReportPolicyView(
    string Domain, DmarcDisposition? P, DmarcDisposition? Sp, DmarcDisposition? Np, DmarcAlignmentMode? Adkim, DmarcAlignmentMode? Aspf, int? Pct, string? Fo, bool? Testing);

internal sealed record ReportSourceView(string Ip, long Messages, long DmarcPass, long SpfAligned, long DkimAligned);

internal sealed record ReportView(
    string? Source, string? OrgName, string? ReportId, string? Namespace, DateTimeOffset? Begin, DateTimeOffset? End, ReportPolicyView? Policy,
    int Reports, long Records, long Messages, IReadOnlyDictionary<DmarcDisposition, long> Dispositions, long DmarcPass, double PassRate,
    IReadOnlyList<ReportSourceView> Sources, IReadOnlyList<DmarcReportWarning>? Warnings)
{
    public static ReportView From(DmarcReportSummary s)
    {
        var h = s.Header;
        var p = h?.Policy;
        return new ReportView(
            s.Source, h?.Metadata.OrgName, h?.Metadata.ReportId, h?.Namespace, h?.Metadata.Begin, h?.Metadata.End,
            p is null ? null : new ReportPolicyView(p.Domain, p.Policy, p.SubdomainPolicy, p.NonExistentSubdomainPolicy,
                p.DkimAlignment, p.SpfAlignment, p.Percent, p.FailureOptions, p.Testing),
            s.Reports, s.Records, s.Messages, s.Dispositions.ToDictionary(d => d.Key, d => d.Value), s.DmarcPass, Math.Round(s.PassRate, 4),
            [.. s.Sources.Select(x => new ReportSourceView(x.Ip.ToString(), x.Messages, x.DmarcPass, x.SpfAligned, x.DkimAligned))],
            s.Warnings.Count == 0 ? null : s.Warnings);
    }
}
