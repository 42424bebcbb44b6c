using SenderAuth.Json;
using System.Diagnostics;
using SenderAuth.Reports;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Reports;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth report --db FILE…</c>: imports report files into the server's database, with the server's own
/// importer (one transaction per file, deduplicated by the unique key, foreign reports kept apart, broken files
/// quarantined in the data folder), on the store the server uses (<see cref="CliStore"/>): the same switches as
/// <c>serve</c>, no web host, no API, no DNS server, no background work.
/// </summary>
internal static class ReportImport
{
    public static async Task<int> RunAsync(IReadOnlyList<FileSystemInfo> inputs, StoreTarget target, bool json, CancellationToken ct)
    {
        var files = Expand(inputs);
        var (store, exit) = await CliStore.OpenAsync(target, ct).ConfigureAwait(false);
        if (store is null)
        {
            return exit;
        }
        await using (store.ConfigureAwait(false))
        {
            var clock = Stopwatch.StartNew();
            var outcomes = new List<FileImportOutcome>(files.Count);
            async Task ImportAll(Action? step)
            {
                foreach (var file in files)
                {
                    using var scope = store.CreateScope();
                    var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
                    outcomes.Add(await importer.ImportFileAsync(file.FullName, file.Name, ReportSource.Local("cli"), ct).ConfigureAwait(false));
                    step?.Invoke();
                }
            }
            if (!json && files.Count > 1 && AnsiConsole.Profile.Capabilities.Interactive)
            {
                await AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("importing", maxValue: files.Count);
                        await ImportAll(() => task.Increment(1)).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                await ImportAll(null).ConfigureAwait(false);
            }
            var totals = ImportTotals.From(outcomes, clock.Elapsed);
            if (json)
            {
                CliOutput.WriteJson(new ImportOutputView([.. outcomes.Select(ImportFileView.From)], totals));
            }
            else
            {
                Print(outcomes, totals);
            }
            return outcomes.Any(o => o.Status != FileImportStatus.Imported) ? ExitCodes.Negative : ExitCodes.Ok;
        }
    }

    /// <summary>Files as given; a folder stands for the regular files in it (not hidden), by name.</summary>
    private static List<FileInfo> Expand(IReadOnlyList<FileSystemInfo> inputs)
    {
        var files = new List<FileInfo>();
        foreach (var input in inputs)
        {
            if (input is DirectoryInfo { Exists: true } dir)
            {
                files.AddRange(dir.EnumerateFiles().Where(f => !f.Name.StartsWith('.')).OrderBy(f => f.Name, StringComparer.Ordinal));
            }
            else if (File.Exists(input.FullName))
            {
                files.Add(new FileInfo(input.FullName));
            }
            else
            {
                throw new UsageException($"{input.FullName}: no such file or folder (nothing was imported)");
            }
        }
        if (files.Count == 0)
        {
            throw new UsageException("no report files to import");
        }
        return files;
    }

    private static void Print(List<FileImportOutcome> outcomes, ImportTotals totals)
    {
        // Every file when there are few; otherwise the ones that need a look (the totals say the rest).
        var shown = outcomes.Count <= 50 ? outcomes : outcomes.Where(o => o.Status != FileImportStatus.Imported).ToList();
        if (shown.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("file").AddColumn("status")
                .AddColumn(new TableColumn("new").RightAligned()).AddColumn(new TableColumn("duplicate").RightAligned())
                .AddColumn(new TableColumn("foreign").RightAligned()).AddColumn(new TableColumn("records").RightAligned()).AddColumn("reason");
            foreach (var o in shown)
            {
                var status = o.Status != FileImportStatus.Imported ? $"[red]{SenderAuthJson.Token(o.Status)}[/]"
                    : o.Reports.Any(r => r.Kind == ReportKind.Failure) ? "[green]imported[/] (failure report)" : "[green]imported[/]";
                table.AddRow(Markup.Escape(o.File), status, $"{o.Imported}", $"{o.Duplicates}", $"{o.Foreign}",
                    $"{o.Reports.Sum(r => (long)r.Records):N0}", Markup.Escape(o.Reason ?? ""));
            }
            AnsiConsole.Write(table);
        }
        foreach (var o in shown)
        {
            foreach (var r in o.Reports.Where(r => r.HasWarnings))
            {
                foreach (var w in r.Warnings!)
                {
                    AnsiConsole.MarkupLine($"[yellow]warning[/] {Markup.Escape(o.File)} {Markup.Escape(r.ReporterOrg)} {Markup.Escape(r.ReportId)} "
                        + $"{Markup.Escape(w.Position)}: {Markup.Escape(w.Code)}: {Markup.Escape(w.Message)}");
                }
            }
        }
        AnsiConsole.MarkupLine($"{totals.Files:N0} file(s): {totals.Imported:N0} report(s) imported, {totals.Duplicates:N0} duplicate, {totals.Foreign:N0} foreign, "
            + $"{totals.Quarantined:N0} file(s) quarantined, {totals.Rejected:N0} refused; {totals.Records:N0} records in {totals.Seconds:0.00} s "
            + $"({totals.ReportsPerSecond:N0} reports/s, {totals.RecordsPerSecond:N0} records/s)");
    }
}

/// <summary>The JSON of <c>senderauth report --db --json</c> (field names are a public contract).</summary>
internal sealed record ImportOutputView(IReadOnlyList<ImportFileView> Files, ImportTotals Totals);

/// <param name="Kind">Aggregate or failure (one message's failure report, RFC 9991).</param>
internal sealed record ImportReportView(string Org, string ReportId, string Domain, ReportImportStatus Status, int Records, long Messages,
    IReadOnlyList<DmarcReportWarning> Warnings, ReportKind Kind);

internal sealed record ImportFileView(string File, FileImportStatus Status, string? Reason, int Imported, int Duplicates, int Foreign, IReadOnlyList<ImportReportView> Reports)
{
    public static ImportFileView From(FileImportOutcome o) => new(o.File, o.Status, o.Reason, o.Imported, o.Duplicates, o.Foreign,
        [.. o.Reports.Select(r => new ImportReportView(r.ReporterOrg, r.ReportId, r.Domain, r.Status, r.Records, r.Messages, r.Warnings ?? [], r.Kind))]);
}

internal sealed record ImportTotals(int Files, int Imported, int Duplicates, int Foreign, int Quarantined, int Rejected, long Records, long Messages,
    double Seconds, double ReportsPerSecond, double RecordsPerSecond)
{
    /// <summary>Records and messages count what was read (new, duplicate and foreign reports alike); the rates are per second of import.</summary>
    public static ImportTotals From(List<FileImportOutcome> outcomes, TimeSpan elapsed)
    {
        var reports = outcomes.SelectMany(o => o.Reports).ToList();
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        var records = reports.Sum(r => (long)r.Records);
        return new ImportTotals(outcomes.Count, outcomes.Sum(o => o.Imported), outcomes.Sum(o => o.Duplicates), outcomes.Sum(o => o.Foreign),
            outcomes.Count(o => o.Status == FileImportStatus.Quarantined), outcomes.Count(o => o.Status == FileImportStatus.Rejected), records, reports.Sum(r => r.Messages),
            Math.Round(elapsed.TotalSeconds, 3), Math.Round(reports.Count / seconds, 1), Math.Round(records / seconds, 1));
    }
}
