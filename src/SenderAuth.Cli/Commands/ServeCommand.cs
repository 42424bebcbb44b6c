using System.CommandLine;
using SenderAuth.Server;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth serve</c>: the server. Its arguments go to ASP.NET Core configuration unchanged (any setting can
/// be given as --Section:Key=value), so System.CommandLine only describes the common ones for --help.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the SenderAuth server: API on http://127.0.0.1:8080, SQLite in ./data, the provider zone on the built-in DNS server (127.0.0.1:8053), a DKIM-signing milter for Postfix (127.0.0.1:8891).\n"
            + "Any setting of appsettings.json can also be given as --SenderAuth:Section:Key=value or as an environment variable (SenderAuth__Section__Key).\n"
            + "Secrets: SENDERAUTH_OPERATOR_KEY (an operator API key to accept), SENDERAUTH_MASTER_KEY (base64 of 32 bytes sealing private keys).\n"
            + "Pending database migrations are applied at start, each logged with its time (docs/backup.md).\n"
            + "Exit codes: 0 stopped normally, 2 invalid configuration, an address in use, or a database from a newer release (refused, nothing changed), 70 internal error.");
        command.Options.Add(new Option<string>("--data") { Description = "Data folder (SQLite database, generated master key). Default: ./data" });
        command.Options.Add(new Option<string>("--urls") { Description = "Where the API listens. Default: http://127.0.0.1:8080" });
        command.Options.Add(new Option<string>("--dns") { Description = "Built-in DNS server address, ADDR:PORT. Default: 127.0.0.1:8053" });
        command.Options.Add(new Option<string>("--database") { Description = "sqlite (default) or postgres" });
        command.Options.Add(new Option<string>("--connection-string") { Description = "PostgreSQL connection string (Npgsql form) with --database postgres" });
        command.Options.Add(new Option<string>("--publish") { Description = "How the provider zone is published: builtin (default), rfc2136, zonefile" });
        command.Options.Add(new Option<string>("--milter") { Description = "Where the milter for Postfix/sendmail listens: inet:ADDR:PORT, unix:/path or none. Default: inet:127.0.0.1:8891" });
        command.Options.Add(new Option<string>("--resolver") { Description = "Recursive resolver for checks, IP[:PORT]. Default: the system's" });
        return command;
    }

    /// <summary>serve without --help bypasses the parser: its arguments are configuration, not options.</summary>
    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "serve" && !args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>Runs through the CLI's guard: a busy port or an unreachable database is one line and exit 70, not a stack trace.</summary>
    public static Task<int> RunAsync(string[] args) => CliApp.Guard(() => ServerApp.RunAsync(args[1..]));
}
