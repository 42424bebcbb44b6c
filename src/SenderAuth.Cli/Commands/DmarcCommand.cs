using System.CommandLine;
using SenderAuth.Dmarc;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth dmarc lint DOMAIN | RECORD --domain D</c>.</summary>
internal static class DmarcCommand
{
    public static Command Create()
    {
        var command = new Command("dmarc", "DMARC records (RFC 9989).");
        var target = new Argument<string>("DOMAIN-OR-RECORD") { Description = "A domain (its policy is found by the DNS tree walk) or record text (\"v=DMARC1; …\")." };
        var domain = new Option<string?>("--domain") { Description = "With record text: the domain it would be published for (for report destinations)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var resolver = new CliResolver();
        var lint = new Command("lint", "Explain a DMARC record and list its problems, report destinations included.\n"
            + "Exit codes: 0 no error (warnings allowed), 1 errors found, 2 bad usage, 3 DNS could not answer, 70 internal error.")
        {
            target, domain, json,
        };
        resolver.AddTo(lint);
        lint.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var text = parse.GetValue(target)!.Trim();
            var linter = new DmarcLinter(resolver.Create(parse));
            DmarcLintReport report;
            if (DmarcRecord.IsDmarcRecord(text))
            {
                var d = parse.GetValue(domain) ?? throw new UsageException("record text needs --domain (the domain it is published for)");
                report = await linter.LintRecordAsync(text, d, ct).ConfigureAwait(false);
            }
            else if (Dns.DnsName.IsValid(text) && !text.Contains(' ', StringComparison.Ordinal) && !text.Contains(';', StringComparison.Ordinal))
            {
                report = await linter.LintDomainAsync(text, ct).ConfigureAwait(false);
            }
            else
            {
                throw new UsageException($"\"{text}\" is neither a DMARC record (v=DMARC1; …) nor a domain name");
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(DmarcLintView.From(report));
            }
            else
            {
                Print(report);
            }
            return report.HasErrors ? ExitCodes.Negative : report.DnsIncomplete ? ExitCodes.Unavailable : ExitCodes.Ok;
        }));
        command.Subcommands.Add(lint);
        return command;
    }

    private static void Print(DmarcLintReport report)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Domain)}[/]{(report.PolicyDomain is { } p && p != report.Domain ? $"  (policy from {Markup.Escape(p)})" : string.Empty)}");
        if (report.Record is { } r)
        {
            AnsiConsole.WriteLine(r.Text);
            AnsiConsole.MarkupLine($"policy [bold]{r.Policy.Token()}[/]{(r.SubdomainPolicy is { } sp ? $", subdomains {sp.Token()}" : string.Empty)}{(r.NonExistentPolicy is { } np ? $", non-existent {np.Token()}" : string.Empty)}{(r.Testing ? ", testing (t=y)" : string.Empty)}; alignment dkim={(r.DkimAlignment == DmarcAlignmentMode.Strict ? "strict" : "relaxed")} spf={(r.SpfAlignment == DmarcAlignmentMode.Strict ? "strict" : "relaxed")}");
        }
        if (report.Findings.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]no problems found[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("severity").NoWrap()).AddColumn(new TableColumn("code").NoWrap()).AddColumn(new TableColumn("col").NoWrap()).AddColumn("finding");
        foreach (var i in report.Findings.OrderByDescending(i => i.Severity))
        {
            var color = i.Severity switch { FindingSeverity.Error => "red", FindingSeverity.Warning => "yellow", _ => "blue" };
            table.AddRow(new Markup($"[{color}]{FindingSeverityTokens.Token(i.Severity)}[/]"), new Text(i.Code), new Text(i.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty), new Text(i.Message));
        }
        AnsiConsole.Write(table);
    }
}
