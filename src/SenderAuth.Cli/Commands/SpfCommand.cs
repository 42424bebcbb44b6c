using System.CommandLine;
using System.Net;
using System.Text.Json.Serialization;
using SenderAuth.Spf;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth spf</c>: one check, a batch of checks from stdin, or <c>spf lint</c>.</summary>
internal static class SpfCommand
{
    public static Command Create()
    {
        var ip = new Option<string?>("--ip") { Description = "The SMTP client's IP address." };
        var mailFrom = new Option<string?>("--mail-from") { Description = "The MAIL FROM address (empty: the HELO identity is checked)." };
        var helo = new Option<string?>("--helo") { Description = "The HELO/EHLO name." };
        var receiver = new Option<string>("--receiver")
        {
            Description = "This host's name, for Received-SPF and %{r}.",
            DefaultValueFactory = _ => System.Net.Dns.GetHostName(),
        };
        var batch = new Option<bool>("--batch") { Description = "Read JSON lines {\"ip\",\"mailFrom\",\"helo\"} from stdin, write one JSON result per line." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var resolver = new CliResolver();

        var command = new Command("spf", "Check an SMTP client against the sender's SPF policy (RFC 7208 check_host).\n"
            + "Exit codes: 0 pass, 1 fail/softfail/neutral/none, 2 bad usage, 3 temperror (DNS), 4 permerror (broken policy), 70 internal error.\n"
            + "With --batch: 0 when every line was read, 2 when a line was not valid JSON input (reported on its output line).");
        command.Options.Add(ip);
        command.Options.Add(mailFrom);
        command.Options.Add(helo);
        command.Options.Add(receiver);
        command.Options.Add(batch);
        command.Options.Add(json);
        resolver.AddTo(command);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var evaluator = new SpfEvaluator(resolver.Create(parse), new SpfOptions { ReceiverName = parse.GetValue(receiver)! });
            if (parse.GetValue(batch))
            {
                await using var stdin = Console.OpenStandardInput();
                await using var stdout = Console.OpenStandardOutput();
                return await SpfBatch.RunAsync(evaluator, stdin, stdout, ct).ConfigureAwait(false);
            }
            var address = parse.GetValue(ip) ?? throw new UsageException("--ip is required (or --batch)");
            if (!IPAddress.TryParse(address, out var client))
            {
                throw new UsageException($"--ip {address}: not an IP address");
            }
            var from = parse.GetValue(mailFrom);
            var heloName = parse.GetValue(helo);
            if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(heloName))
            {
                throw new UsageException("--mail-from or --helo is required");
            }
            var outcome = await evaluator.CheckMailFromAsync(client, from, heloName, ct).ConfigureAwait(false);
            var view = SpfView.From(outcome, evaluator.Options.ReceiverName);
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(view);
            }
            else
            {
                SpfView.Print(outcome, view, evaluator.Options);
            }
            return ExitCode(outcome.Result);
        }));
        command.Subcommands.Add(SpfLintCommand.Create());
        return command;
    }

    public static int ExitCode(SpfResult result) => result switch
    {
        SpfResult.Pass => ExitCodes.Ok,
        SpfResult.TempError => ExitCodes.Unavailable,
        SpfResult.PermError => ExitCodes.PolicyError,
        _ => ExitCodes.Negative,
    };
}

/// <summary>The stable JSON shape of one SPF result (field names are a public contract).</summary>
/// <remarks>
/// Every field is always written, null included, so scripts can rely on the set of names. Result, reason and identity
/// are the enums: the contract writes their RFC tokens and codes (SpfTokens, SpfReasonCodes), the text output the same.
/// </remarks>
internal sealed record SpfView(
    SpfResult Result, SpfReason Reason, string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Explanation,
    int DnsLookups, int VoidLookups, string ReceivedSpf, string AuthenticationResults, string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Mechanism,
    string ClientIp, string Sender,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Helo,
    SpfIdentity Identity,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? ErrorPosition)
{
    public static SpfView From(SpfOutcome o, string receiver) => new(
        o.Result, o.Reason, o.Detail, o.Explanation, o.DnsLookups, o.VoidLookups,
        SpfHeaders.ReceivedSpf(o, receiver), SpfHeaders.AuthResults(o).ToString(), o.Domain, o.Mechanism, o.ClientIp.ToString(),
        o.Sender, o.Helo, o.Identity, o.SyntaxError?.Position);

    public static void Print(SpfOutcome o, SpfView v, SpfOptions options)
    {
        var color = o.Result switch
        {
            SpfResult.Pass => "green",
            SpfResult.Fail or SpfResult.PermError => "red",
            SpfResult.TempError => "yellow",
            _ => "darkorange",
        };
        AnsiConsole.MarkupLine($"[bold {color}]SPF {o.Result.Token()}[/]  {Markup.Escape(v.Detail)}");
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("field").AddColumn("value");
        void Row(string k, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                table.AddRow(new Text(k), new Text(value));
            }
        }
        Row("client IP", v.ClientIp);
        Row("identity", $"{o.Identity.Token()} {v.Sender}");
        Row("HELO", v.Helo);
        Row("domain", o.DecidingDomain is { } d && d != o.Domain ? $"{o.Domain} (decided by {d})" : o.Domain);
        Row("result", o.Result.Token());
        Row("reason", o.Reason.Code());
        Row("mechanism", v.Mechanism);
        Row("explanation", v.Explanation);
        Row("DNS lookups", $"{v.DnsLookups} of {options.MaxDnsLookups} allowed");
        Row("void lookups", $"{v.VoidLookups} of {options.MaxVoidLookups} allowed");
        AnsiConsole.Write(table);
        // Headers go out unwrapped, so they can be pasted as they are.
        Console.Out.WriteLine(v.ReceivedSpf);
        Console.Out.WriteLine($"Authentication-Results: {options.ReceiverName}; {v.AuthenticationResults}");
    }
}
