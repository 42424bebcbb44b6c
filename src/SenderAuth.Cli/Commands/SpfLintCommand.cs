using System.CommandLine;
using SenderAuth.Spf;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth spf lint RECORD-OR-DOMAIN</c>: explain a policy and list its problems.</summary>
internal static class SpfLintCommand
{
    private static readonly SpfOptions Limits = new();

    public static Command Create()
    {
        var target = new Argument<string>("RECORD-OR-DOMAIN") { Description = "A record text (\"v=spf1 …\") or a domain whose record is read from DNS." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var resolver = new CliResolver();
        var command = new Command("lint", "Explain an SPF record: its terms, includes expanded, the lookup count and the problems.\n"
            + "Exit codes: 0 no error (warnings allowed), 1 errors found, 2 bad usage, 3 DNS could not answer, 70 internal error.");
        command.Arguments.Add(target);
        command.Options.Add(json);
        resolver.AddTo(command);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var text = parse.GetValue(target)!.Trim();
            var linter = new SpfLinter(resolver.Create(parse));
            SpfLintReport report;
            if (SpfParser.IsSpfRecord(text))
            {
                report = await linter.LintRecordAsync(text, ct).ConfigureAwait(false);
            }
            else if (Dns.DnsName.IsValid(text) && !text.Contains(' ', StringComparison.Ordinal))
            {
                report = await linter.LintDomainAsync(text, ct).ConfigureAwait(false);
            }
            else
            {
                throw new UsageException($"\"{text}\" is neither an SPF record (v=spf1 …) nor a domain name");
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(SpfLintView.From(report));
            }
            else
            {
                Print(report);
            }
            return report.HasErrors ? ExitCodes.Negative : report.DnsIncomplete ? ExitCodes.Unavailable : ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(SpfLintReport report)
    {
        if (report.Domain is not null)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Domain)}[/]");
        }
        if (report.Record is not null)
        {
            AnsiConsole.WriteLine(report.Record);
        }
        if (report.Terms.Count > 0)
        {
            var tree = new Tree("[bold]terms[/] (DNS lookups each, includes expanded)");
            foreach (var term in report.Terms)
            {
                Add(tree.AddNode(Label(term)), term);
            }
            AnsiConsole.Write(tree);
        }
        var lookups = report.TotalDnsLookups > Limits.MaxDnsLookups ? "red" : "green";
        var voids = report.VoidLookups > Limits.MaxVoidLookups ? "red" : "green";
        AnsiConsole.MarkupLine($"DNS lookups after expansion: [{lookups}]{report.TotalDnsLookups}[/] of {Limits.MaxDnsLookups}   void lookups: [{voids}]{report.VoidLookups}[/] of {Limits.MaxVoidLookups}");
        if (report.Findings.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]no problems found[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("severity").NoWrap()).AddColumn(new TableColumn("code").NoWrap())
            .AddColumn(new TableColumn("where").NoWrap()).AddColumn("finding");
        foreach (var f in report.Findings)
        {
            var color = f.Severity switch { FindingSeverity.Error => "red", FindingSeverity.Warning => "yellow", _ => "blue" };
            var where = f.Subject is null ? string.Empty : f.Position is { } p ? $"{f.Subject} col {p}" : f.Subject;
            table.AddRow(new Markup($"[{color}]{FindingSeverityTokens.Token(f.Severity)}[/]"), new Text(f.Code), new Text(where), new Text(f.Message));
        }
        AnsiConsole.Write(table);
    }

    private static string Label(SpfLintTerm t)
    {
        var cost = t.DnsLookups == 0 ? "[grey]0[/]" : t.DnsLookups.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var voids = t.VoidLookups > 0 ? $" [yellow]void {t.VoidLookups}[/]" : string.Empty;
        return $"{Markup.Escape(t.Text)}  [grey]lookups[/] {cost}{voids}";
    }

    private static void Add(TreeNode node, SpfLintTerm term)
    {
        foreach (var child in term.Children)
        {
            Add(node.AddNode(Label(child)), child);
        }
    }
}
