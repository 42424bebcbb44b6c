using System.Diagnostics;
using System.Net;

namespace SenderAuth.Tests.Interop;

/// <summary>
/// BIND's <c>dig</c> (Debian package bind9-dnsutils), an independent DNS client: the one way tests run it, so the
/// running class must declare <c>[Trait("Needs", "dig")]</c> (<see cref="TestNeeds"/>) or fail.
/// </summary>
internal static class DigTool
{
    /// <summary>One non-recursive query to <paramref name="server"/>; dig's output, asserting that it exited 0.</summary>
    public static async Task<string> QueryAsync(IPEndPoint server, string name, string type, CancellationToken ct, params string[] extra)
    {
        TestNeeds.Require("dig");
        var psi = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[$"@{server.Address}", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), name, type, "+norec", "+tries=1", "+time=3", .. extra])
        {
            psi.ArgumentList.Add(a);
        }
        using var dig = Process.Start(psi)!;
        var output = await dig.StandardOutput.ReadToEndAsync(ct);
        await dig.WaitForExitAsync(ct);
        Assert.True(dig.ExitCode == 0, $"dig {name} {type} exited {dig.ExitCode}: {output}{await dig.StandardError.ReadToEndAsync(ct)}");
        return output;
    }
}
