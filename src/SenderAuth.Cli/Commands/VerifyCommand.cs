using System.CommandLine;
using System.Net;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dkim;
using SenderAuth.Dmarc;
using SenderAuth.Spf;
using Spectre.Console;

namespace SenderAuth.Cli.Commands;

/// <summary><c>senderauth verify</c>: SPF, DKIM and DMARC for one message, as a receiver would.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var ip = new Option<string>("--ip") { Description = "The SMTP client's IP address.", Required = true };
        var mailFrom = new Option<string?>("--mail-from") { Description = "The MAIL FROM address (empty: the HELO identity)." };
        var helo = new Option<string?>("--helo") { Description = "The HELO/EHLO name." };
        var authserv = new Option<string>("--authserv-id") { Description = "This receiver's name in Authentication-Results.", DefaultValueFactory = _ => System.Net.Dns.GetHostName() };
        var psl = new Option<FileInfo?>("--public-suffix-list") { Description = "Use this Public Suffix List (RFC 7489) instead of the RFC 9989 tree walk for relaxed alignment." };
        var json = new Option<bool>("--json") { Description = "Print the full result as JSON." };
        var file = new Argument<FileInfo?>("FILE") { Description = "The message; none: read stdin.", Arity = ArgumentArity.ZeroOrOne };
        var resolver = new CliResolver();
        var command = new Command("verify", "Verify a message as a receiver would: SPF, DKIM, DMARC, and the Authentication-Results header.\n"
            + "Exit codes: 0 DMARC pass, 1 DMARC fail or none, 2 bad usage, 3 DNS could not answer (temperror), 4 permerror, 70 internal error.")
        {
            ip, mailFrom, helo, authserv, psl, json, file,
        };
        resolver.AddTo(command);
        command.SetAction((parse, ct) => CliApp.Guard(async () =>
        {
            if (!IPAddress.TryParse(parse.GetValue(ip), out var client))
            {
                throw new UsageException($"--ip {parse.GetValue(ip)}: not an IP address");
            }
            var list = parse.GetValue(psl) is { } p
                ? (p.Exists ? PublicSuffixList.Load(p.FullName) : throw new UsageException($"public suffix list not found: {p.FullName}"))
                : null;
            var message = await CliInput.ReadMessageAsync(parse.GetValue(file), ct).ConfigureAwait(false);
            var verifier = new MessageVerifier(resolver.Create(parse), new MessageVerifierOptions
            {
                AuthServId = parse.GetValue(authserv)!,
                Dmarc = new DmarcOptions { PublicSuffixList = list },
            });
            var result = await verifier.VerifyAsync(message, client, parse.GetValue(mailFrom), parse.GetValue(helo), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(VerifyView.From(result));
            }
            else
            {
                Print(result);
            }
            return result.Dmarc.Result switch
            {
                DmarcResult.Pass => ExitCodes.Ok,
                DmarcResult.TempError => ExitCodes.Unavailable,
                DmarcResult.PermError => ExitCodes.PolicyError,
                _ => ExitCodes.Negative,
            };
        }));
        return command;
    }

    private static void Print(MessageVerification r)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("method").AddColumn("result").AddColumn("details");
        table.AddRow(new Text("SPF"), Colored(r.Spf.Result.Token(), r.Spf.Result == SpfResult.Pass), new Text($"{r.Spf.Identity.Token()} {r.Spf.Sender}: {r.Spf.Detail}"));
        if (r.Dkim.Signatures.Count == 0)
        {
            table.AddRow(new Text("DKIM"), Colored("none", false), new Text("no signature"));
        }
        foreach (var s in r.Dkim.Signatures)
        {
            table.AddRow(new Text("DKIM"), Colored(s.Result.Token(), s.Result == DkimResult.Pass), new Text($"d={s.Domain} s={s.Selector}: {s.Detail}"));
        }
        var d = r.Dmarc;
        var policy = d.Record is null ? string.Empty : $" — policy {d.PolicyTag}={d.RequestedPolicy.Token()} at {d.PolicyDomain}, apply {d.AppliedPolicy.Token()}{(d.Testing ? " (testing)" : string.Empty)}";
        table.AddRow(new Text("DMARC"), Colored(d.Result.Token(), d.Result == DmarcResult.Pass), new Text($"{string.Join(", ", d.AuthorDomains)}: {d.Detail}{policy}"));
        AnsiConsole.Write(table);
        Console.Out.WriteLine(r.AuthenticationResults);
    }

    private static Markup Colored(string token, bool good) => new($"[{(good ? "green" : "red")}]{token}[/]");
}
