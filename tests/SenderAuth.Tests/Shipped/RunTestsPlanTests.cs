using System.Diagnostics;

namespace SenderAuth.Tests.Shipped;

/// <summary>
/// The README's test command installs only what the selected tests need (issue 17, item 7): `./run-tests --plan`
/// prints what a run with the same options would install, without installing. The listing of the selected tests
/// is VSTest's own (`dotnet test --list-tests` with the same --filter); `--no-build` lists this very build.
/// </summary>
[Trait("Layer", "shipped")]
public class RunTestsPlanTests
{
    /// <summary>The packages of real servers and peers: never for the engine's tests, all for the whole suite.</summary>
    private static readonly string[] ServerPackages =
    [
        "knot", "unbound", "postgresql", "dovecot-imapd", "postfix", "swaks", "chromium", "prometheus",
        "python3-dkim", "opendkim-tools", "libopendkim-dev",
    ];

    private static readonly string[] Servers = ["knot", "unbound", "postgres", "dovecot", "postfix", "prometheus", "chromium", "peers"];

    [Fact]
    public async Task Plan_Unfiltered_NamesEveryServerAndPackage()
    {
        var (needs, packages) = await PlanAsync();

        Assert.All(Servers, s => Assert.Contains(s, needs));
        // The whole suite builds the shipped product first.
        Assert.Contains("senderauth", needs);
        Assert.All(ServerPackages, p => Assert.Contains(p, packages));
        // The whole suite keeps installing what it always did, bench's and hand tools included.
        Assert.All(new[] { "python3-spf", "bind9-utils", "bind9-dnsutils", "wrk", "publicsuffix", "ldnsutils" }, p => Assert.Contains(p, packages));
    }

    [Fact]
    public async Task Plan_EngineLayer_NamesNoServerPackage()
    {
        var (needs, packages) = await PlanAsync("--no-build", "--filter", "Layer=engine");

        Assert.DoesNotContain(needs, n => Servers.Contains(n));
        Assert.DoesNotContain(packages, p => ServerPackages.Contains(p));
        // No engine class starts ./senderauth: no Release publish for them (run-tests builds only for the need).
        Assert.DoesNotContain("senderauth", needs);
    }

    [Fact]
    public async Task Plan_CliClass_BuildsTheShippedProductAndNoServer()
    {
        var (needs, packages, output) = await PlanTextAsync("--no-build", "--filter", "FullyQualifiedName~Cli.SpfCliTests");

        // The SPF CLI tests run it through ./senderauth on zone files: the build, and no server or package.
        Assert.Equal(["senderauth"], needs);
        Assert.Empty(packages);
        Assert.Contains("build: ./senderauth (Release, .build/)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_EngineLayer_SaysItBuildsNothing()
    {
        var (_, _, output) = await PlanTextAsync("--no-build", "--filter", "Layer=engine");

        Assert.Contains("build: none", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_OneClass_NamesItsServersOnly()
    {
        var (needs, packages) = await PlanAsync("--no-build", "--filter", "FullyQualifiedName~Milter.PostfixMilterTests");

        // PostfixWorld onboards domains on the test Knot; the signatures are checked by dkimpy and OpenDKIM; its server
        // is the shipped ./senderauth serve.
        Assert.Equal(["knot", "peers", "postfix", "senderauth"], needs);
        Assert.Contains("postfix", packages);
        Assert.Contains("knot", packages);
        Assert.Contains("python3-dkim", packages);
        Assert.DoesNotContain("postgresql", packages);
        Assert.DoesNotContain("chromium", packages);
        Assert.DoesNotContain("dovecot-imapd", packages);
    }

    [Fact]
    public async Task Plan_FilterSelectingNothing_InstallsNothing()
    {
        var (needs, packages) = await PlanAsync("--no-build", "--filter", "FullyQualifiedName~NoSuchTestClassAnywhere");

        Assert.Empty(needs);
        Assert.Empty(packages);
    }

    private static async Task<(string[] Needs, string[] Packages)> PlanAsync(params string[] args)
    {
        var (needs, packages, _) = await PlanTextAsync(args);
        return (needs, packages);
    }

    private static async Task<(string[] Needs, string[] Packages, string Output)> PlanTextAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(Launcher.Root, "run-tests"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Launcher.Root,
        };
        psi.ArgumentList.Add("--plan");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output;
        Assert.True(process.ExitCode == 0, $"run-tests --plan {string.Join(' ', args)} exited {process.ExitCode}: {text}{await error}");
        // Two machine-readable lines (scripts/test-plan.py); anything else on stdout is for people.
        string[] Line(string key) =>
            text.Split('\n').Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (Line("needs"), Line("packages"), text);
    }
}
