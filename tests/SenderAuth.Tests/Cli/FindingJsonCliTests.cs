using System.Text.Json;

namespace SenderAuth.Tests.Cli;

/// <summary>SPF and DMARC lint findings are the engine's one Finding, written with its names (severity, code, message, subject, position).</summary>
[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public class FindingJsonCliTests
{
    private static readonly string Zone = CliRunner.Zone("spf.zone");

    [Fact]
    public async Task SpfLint_Json_FindingsHaveSubjectAndPosition()
    {
        var (_, stdout, _) = await CliRunner.RunAsync(null, "spf", "lint", "heavy.example.com", "--zone", Zone, "--json");
        var ptr = JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("code").GetString() == "ptr");
        Assert.Equal(["severity", "code", "message", "subject", "position"], ptr.EnumerateObject().Select(p => p.Name));
        Assert.Equal("warning", ptr.GetProperty("severity").GetString());
        Assert.Equal("heavy.example.com", ptr.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task DmarcLint_Json_FindingsHaveANullSubject()
    {
        var (_, stdout, _) = await CliRunner.RunAsync(null, "dmarc", "lint", "lenient.example", "--zone", CliRunner.Zone("dmarc.zone"), "--json");
        var issues = JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().ToList();
        // The JSON contract writes nulls: every documented field is present (docs/json.md).
        Assert.All(issues, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("subject").ValueKind));
        Assert.Contains(issues, i => i.TryGetProperty("position", out _));
    }
}
