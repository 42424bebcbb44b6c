using System.CommandLine;
using SenderAuth.Dkim;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth dkim verify</c>: every signature of one message, each with its result and reason.</summary>
internal static class DkimVerifyCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var file = new Argument<FileInfo?>("FILE") { Description = "The message; none: read stdin.", Arity = ArgumentArity.ZeroOrOne };
        var resolver = new CliResolver();
        var command = new Command("verify", "Verify the DKIM signatures of a message as a receiver would.\n"
            + "Exit codes: 0 every signature passes (at least one), 1 a signature fails or there is none, 2 bad usage, 3 DNS could not answer, 70 internal error.")
        {
            json, file,
        };
        resolver.AddTo(command);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            var message = await CliInput.ReadMessageAsync(parse.GetValue(file), ct).ConfigureAwait(false);
            var verification = await new DkimVerifier(resolver.Create(parse)).VerifyAsync(message, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(DkimVerifyView.From(verification));
            }
            else
            {
                Print(verification);
            }
            var sigs = verification.Signatures;
            return sigs.Count > 0 && sigs.All(s => s.Result == DkimResult.Pass) ? ExitCodes.Ok
                : sigs.Any(s => s.Result == DkimResult.TempError) ? ExitCodes.Unavailable
                : ExitCodes.Negative;
        }));
        return command;
    }

    private static void Print(DkimVerification v)
    {
        if (v.Signatures.Count == 0)
        {
            AnsiConsole.MarkupLine("[darkorange]DKIM none[/]  the message carries no DKIM-Signature");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("result").AddColumn("d=").AddColumn("s=").AddColumn("a=").AddColumn("key").AddColumn("reason");
        var n = 0;
        foreach (var s in v.Signatures)
        {
            var color = s.Result == DkimResult.Pass ? "green" : s.Result == DkimResult.TempError ? "yellow" : "red";
            table.AddRow(
                new Text((++n).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Markup($"[{color}]{s.Result.Token()}[/]"),
                new Text(s.Domain ?? "-"), new Text(s.Selector ?? "-"),
                new Text(s.Algorithm is { } a ? DkimSignature.AlgorithmToken(a) : "-"),
                new Text(s.KeySize is { } k ? $"{k} bits{(s.Testing ? ", t=y" : string.Empty)}" : "-"),
                new Text(s.Result == DkimResult.Pass ? s.Detail : $"{s.Reason.Code()}: {s.Detail}"));
        }
        AnsiConsole.Write(table);
        if (v.FromHeaderCount != 1)
        {
            AnsiConsole.MarkupLine($"[red]the message has {v.FromHeaderCount} From fields[/]");
        }
        foreach (var a in v.Ambiguities)
        {
            AnsiConsole.MarkupLine($"[red]ambiguous header: {Markup.Escape(a.Describe())}[/]");
        }
        foreach (var method in v.ToAuthResults())
        {
            Console.Out.WriteLine($"Authentication-Results: {System.Net.Dns.GetHostName()}; {method}");
        }
    }
}
