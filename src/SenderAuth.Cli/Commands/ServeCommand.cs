using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// <c>senderauth serve</c>: the server, which is its own program (SenderAuth.Server: ASP.NET, the dashboard's Razor
/// Pages, the built-in DNS, the milter); the CLI does not carry it. The launcher (<c>./senderauth</c>) runs the
/// server's executable itself for <c>serve</c>; this command describes the options for --help and, when the CLI is
/// run directly, starts the server's executable beside it with the same arguments and passes its exit code on.
/// Arguments go to ASP.NET Core configuration unchanged (any setting as --Section:Key=value).
/// </summary>
internal static partial class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the SenderAuth server: API on http://127.0.0.1:8080, SQLite in ./data, the provider zone on the built-in DNS server (127.0.0.1:8053), a DKIM-signing milter for Postfix (127.0.0.1:8891).\n"
            + "Any setting of appsettings.json can also be given as --SenderAuth:Section:Key=value or as an environment variable (SenderAuth__Section__Key).\n"
            + "Secrets: SENDERAUTH_OPERATOR_KEY (an operator API key to accept), SENDERAUTH_MASTER_KEY (base64 of 32 bytes sealing private keys).\n"
            + "Exit codes: 0 stopped normally, 2 invalid configuration, 70 internal error.");
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

    /// <summary>
    /// The server's executable as a child with this process's terminal; SIGTERM, SIGINT and SIGQUIT are passed on so
    /// that it shuts down as it would when started alone, and its exit code (0, 2, 70) is this command's.
    /// </summary>
    public static Task<int> RunAsync(string[] args) => CliApp.Guard(async () =>
    {
        var exe = ServerExecutable() ?? throw new UsageException(
            "the server (SenderAuth.Server) is not installed beside the CLI: run ./senderauth serve, which builds both");
        var psi = new ProcessStartInfo(exe) { UseShellExecute = false };
        foreach (var a in args[1..])
        {
            psi.ArgumentList.Add(a);
        }
        using var server = Process.Start(psi) ?? throw new InvalidOperationException($"{exe} did not start");
        var forwarded = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, ctx =>
            {
                ctx.Cancel = true;
                _ = Kill(server.Id, SignalNumber(ctx.Signal));
            })).ToList();
        try
        {
            await server.WaitForExitAsync().ConfigureAwait(false);
            return server.ExitCode;
        }
        finally
        {
            forwarded.ForEach(r => r.Dispose());
        }
    });

    /// <summary>The launcher's layout (.build/cli beside .build/server), or both in one folder.</summary>
    private static string? ServerExecutable()
    {
        var name = OperatingSystem.IsWindows() ? "SenderAuth.Server.exe" : "SenderAuth.Server";
        var here = AppContext.BaseDirectory;
        return new[] { Path.Combine(here, "..", "server", name), Path.Combine(here, name) }.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    // Linux signal numbers: PosixSignal's values are negative placeholders, not the kernel's numbers.
    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    // .NET sends only SIGKILL to another process (Process.Kill); passing on a graceful stop needs kill(2).
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
