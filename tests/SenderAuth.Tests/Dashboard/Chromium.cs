using System.Text.Json;
using Microsoft.Playwright;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Dashboard;

/// <summary>
/// Debian's headless Chromium, driven by Playwright for .NET through its executable path: Playwright never
/// downloads a browser here (no internet). One browser per test class; each test gets its own context (cookies).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string? SkipReason { get; private set; }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(SkipReason ?? "not started");

    /// <summary>axe-core, installed by run-tests (scripts/deps.sh ensure_peers) into .tools/axe.</summary>
    public static string AxeScript { get; } = Path.Combine(PeerTool.ToolsDir, "axe", "node_modules", "axe-core", "axe.min.js");

    /// <summary>Screenshots go here: $SENDERAUTH_TEST_ARTIFACTS/dashboard (run-tests: TestResults/dashboard in the repository).</summary>
    public static string ScreenshotDir { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("SENDERAUTH_TEST_ARTIFACTS") is { Length: > 0 } d ? d : Path.Combine(PeerTool.RepoRoot, "TestResults"), "dashboard");

    public async ValueTask InitializeAsync()
    {
        // A class fixture runs in its class's context: the class that takes the browser must declare it.
        TestNeeds.Require("chromium");
        if (!File.Exists(Executable))
        {
            SkipReason = $"{Executable} is not installed (Debian package chromium): run ./run-tests";
            return;
        }
        if (!File.Exists(AxeScript))
        {
            SkipReason = $"axe-core is not installed at {AxeScript}: run ./run-tests";
            return;
        }
        // Expectations follow server round-trips (a DNS check against Knot, a redirect, a render) on two cores
        // shared with the rest of the suite: Playwright's 5 s default is a flake, not a limit worth testing.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    /// <summary>
    /// A fresh browser context (no cookies) on the server. CSP is bypassed only so that the test can inject axe-core;
    /// the pages themselves never need inline script.
    /// </summary>
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            BypassCSP = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = baseUrl });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as a test artifact: NAME.png in <see cref="ScreenshotDir"/>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = Path.Combine(ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot {path}");
    }

    /// <summary>Runs axe-core on the page and fails on any serious or critical violation, naming each with its elements.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
        var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations");
        var all = result.EnumerateArray().ToList();
        var serious = all.Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()} at "
                + string.Join(", ", v.GetProperty("nodes").EnumerateArray().Take(5).Select(n => n.GetProperty("target").ToString())))
            .ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"axe {name}: {all.Count} violation(s), {serious.Count} serious or critical");
        Assert.True(serious.Count == 0, $"axe-core on {name}:\n  " + string.Join("\n  ", serious));
    }

    /// <summary>Both artifacts of one page: the axe scan and the screenshot.</summary>
    public static async Task CheckPageAsync(IPage page, string name)
    {
        await AssertAccessibleAsync(page, name);
        await ScreenshotAsync(page, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
