using System.Diagnostics;
using SenderAuth.Tests.Shipped;

namespace SenderAuth.Tests.Cli;

/// <summary>Runs the CLI as users and scripts do, through <c>./senderauth</c> (<see cref="Launcher"/>): exit code, stdout, stderr.</summary>
internal static class CliRunner
{
    public static string Zone(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "zones", name);

    public static Task<(int Exit, string Out, string Err)> RunAsync(string? stdin, params string[] args) => RunAsync(stdin, null, args);

    /// <summary>With extra environment variables (the server's secrets, for commands that open its database).</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        await Launcher.EnsureBuiltAsync();
        var psi = Launcher.StartInfo(args);
        psi.RedirectStandardInput = true;
        psi.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
