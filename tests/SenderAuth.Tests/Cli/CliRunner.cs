using System.Diagnostics;

namespace SenderAuth.Tests.Cli;

/// <summary>Runs the built CLI as a process, as users and scripts do: exit code, stdout, stderr.</summary>
internal static class CliRunner
{
    public static string Zone(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "zones", name);

    public static Task<(int Exit, string Out, string Err)> RunAsync(string? stdin, params string[] args) => RunAsync(stdin, null, args);

    /// <summary>With extra environment variables (the server's secrets, for commands that open its database).</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SenderAuth.Cli.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["NO_COLOR"] = "1";
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
