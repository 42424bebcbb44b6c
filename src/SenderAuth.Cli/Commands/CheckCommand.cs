using System.CommandLine;
using SenderAuth.Check;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth check DOMAIN --profile FILE</c>: the institution's DNS against what the provider expects.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var domain = new Argument<string?>("DOMAIN") { Description = "The institution's sender domain.", Arity = ArgumentArity.ZeroOrOne };
        var profile = new Option<FileInfo>("--profile") { Description = "The provider profile (JSON): dkimZone, spfInclude, sendingIps, selectors, reportAddress, mailFromDomain.", Required = true };
        var code = new Option<string?>("--code") { Description = "The institution code that replaces {code} in the profile." };
        var domains = new Option<FileInfo?>("--domains") { Description = "Bulk mode: a file of \"DOMAIN [CODE]\" lines; one JSON result per line on stdout." };
        var concurrency = new Option<int>("--concurrency") { Description = "Bulk mode: domains checked at once.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the report." };
        var resolver = new CliResolver();
        var dnssec = new CliDnssec();
        var command = new Command("check", "Check a sender domain's SPF, DKIM delegation, DMARC, MAIL FROM and (not with --zone) DNSSEC as receivers see them.\n"
            + "Exit codes: 0 nothing is an error, 1 something is, 2 bad usage, 3 DNS could not answer, 70 internal error.")
        {
            domain, profile, code, domains, concurrency, json,
        };
        resolver.AddTo(command);
        dnssec.AddTo(command);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var file = parse.GetValue(profile)!;
            if (!file.Exists)
            {
                throw new UsageException($"profile not found: {file.FullName}");
            }
            ProviderProfile p;
            try
            {
                p = ProviderProfile.Load(file.FullName);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
            var checker = new DomainChecker(resolver.Create(parse)) { Dnssec = dnssec.Create(parse, resolver) };
            if (parse.GetValue(domains) is { } list)
            {
                return await CheckBulk.RunAsync(checker, p, list, parse.GetValue(code), parse.GetValue(concurrency), ct).ConfigureAwait(false);
            }
            var d = parse.GetValue(domain) ?? throw new UsageException("DOMAIN is required (or --domains FILE)");
            var c = CodeFor(p, parse.GetValue(code));
            DomainCheckReport report;
            try
            {
                report = await checker.CheckAsync(d, p, c, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(View(report));
            }
            else
            {
                Print(report);
            }
            return ExitCode(report);
        }));
        return command;
    }

    public static string CodeFor(ProviderProfile p, string? code)
    {
        var needsCode = p.Selectors.Any(s => s.Target.Contains("{code}", StringComparison.Ordinal))
            || (p.ReportAddress?.Contains("{code}", StringComparison.Ordinal) ?? false);
        if (needsCode && string.IsNullOrWhiteSpace(code))
        {
            throw new UsageException("the profile uses {code}: give the institution code with --code");
        }
        return code ?? string.Empty;
    }

    public static int ExitCode(DomainCheckReport r) => r.HasErrors ? ExitCodes.Negative : r.DnsIncomplete ? ExitCodes.Unavailable : ExitCodes.Ok;

    public static CheckView View(DomainCheckReport r) => CheckView.From(r, Areas(r));

    /// <summary>The areas with a verdict: DNSSEC only when it was checked (a resolver was asked; not with --zone).</summary>
    private static IEnumerable<CheckArea> Areas(DomainCheckReport r) =>
        Enum.GetValues<CheckArea>().Where(a => a != CheckArea.Dnssec || r.Findings.Any(f => f.Area == CheckArea.Dnssec));

    private static void Print(DomainCheckReport r)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Domain)}[/]{(r.Code.Length > 0 ? $"  (institution {Markup.Escape(r.Code)})" : string.Empty)}");
        foreach (var area in Areas(r))
        {
            var verdict = r.Verdict(area);
            var color = verdict switch { AreaVerdict.Ok => "green", AreaVerdict.Warning => "yellow", AreaVerdict.Unknown => "grey", _ => "red" };
            var first = r.Findings.FirstOrDefault(f => f.Area == area && f.Severity == FindingSeverity.Error)
                ?? r.Findings.FirstOrDefault(f => f.Area == area && f.Severity == FindingSeverity.Warning)
                ?? r.Findings.FirstOrDefault(f => f.Area == area);
            AnsiConsole.MarkupLine($"  {area.Token(),-9} [{color}]{verdict.Token(),-8}[/] {Markup.Escape(first?.Message ?? "as expected")}");
        }
        var shown = r.Findings.Where(f => f.Severity != FindingSeverity.Info || f.Code.EndsWith("-ok", StringComparison.Ordinal) is false).ToList();
        if (shown.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("severity").NoWrap()).AddColumn(new TableColumn("code").NoWrap()).AddColumn("name").AddColumn("observed").AddColumn("expected");
            foreach (var f in shown.OrderByDescending(f => f.Severity))
            {
                var color = f.Temporary ? "grey" : f.Severity switch { FindingSeverity.Error => "red", FindingSeverity.Warning => "yellow", _ => "blue" };
                table.AddRow(new Markup($"[{color}]{(f.Temporary ? AreaVerdict.Unknown.Token() : f.Severity.Token())}[/]"), new Text(f.Code),
                    new Text(f.Subject ?? string.Empty), new Text(f.Observed ?? string.Empty), new Text(f.Expected ?? string.Empty));
            }
            AnsiConsole.Write(table);
        }
        if (r.Records.Count > 0)
        {
            AnsiConsole.MarkupLine("[bold]Publish these records[/] (zone-file syntax; most DNS hosts want only the host part of the name):");
            foreach (var rec in r.Records)
            {
                Console.Out.WriteLine(rec.ZoneLine);
            }
        }
    }
}
