using System.Text.Json;

namespace SenderAuth.Tests.Cli;

[Trait("Layer", "cli")]
[Trait("Needs", "senderauth")]
public class VerifyCliTests
{
    private static readonly string Zone = CliRunner.Zone("dmarc.zone");
    private const string Message = "From: Shop <shop@example.com>\r\nTo: a@example.net\r\nSubject: order\r\n\r\nthanks\r\n";

    [Fact]
    public async Task Verify_SpfAlignedUnsigned_DmarcPassExit0()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(Message, "verify", "--ip", "192.0.2.3", "--mail-from", "bounce@example.com",
            "--helo", "mta.example.com", "--zone", Zone, "--authserv-id", "mx.test", "--json");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("pass", root.GetProperty("spf").GetProperty("result").GetString());
        Assert.Empty(root.GetProperty("dkim").EnumerateArray());
        Assert.Equal("pass", root.GetProperty("dmarc").GetProperty("result").GetString());
        Assert.Equal("reject", root.GetProperty("dmarc").GetProperty("requestedPolicy").GetString());
        var header = root.GetProperty("authenticationResults").GetString()!;
        Assert.StartsWith("Authentication-Results: mx.test;", header, StringComparison.Ordinal);
        Assert.Contains("dkim=none", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ForeignIp_DmarcFailExit1WithTable()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(Message, "verify", "--ip", "203.0.113.3", "--mail-from", "bounce@example.com", "--zone", Zone);
        Assert.Equal(1, exit);
        Assert.Contains("apply reject", stdout, StringComparison.Ordinal);
        Assert.Contains("dmarc=fail", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NoFrom_PermErrorExit4()
    {
        var (exit, _, _) = await CliRunner.RunAsync("Subject: x\r\n\r\nbody\r\n", "verify", "--ip", "192.0.2.3", "--mail-from", "b@example.com", "--zone", Zone);
        Assert.Equal(4, exit);
    }

    [Fact]
    public async Task DmarcLint_Domain_FindsUnauthorizedDestination()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "dmarc", "lint", "lenient.example", "--zone", Zone, "--json");
        Assert.Equal(1, exit);
        var codes = JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().Select(i => i.GetProperty("code").GetString()).ToList();
        Assert.Contains("external-destination-unauthorized", codes);
        Assert.Contains("obsolete-tag", codes);
    }

    [Fact]
    public async Task DmarcLint_RecordWithoutDomain_Exit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "dmarc", "lint", "v=DMARC1; p=none", "--zone", Zone);
        Assert.Equal(2, exit);
        Assert.Contains("--domain", stderr, StringComparison.Ordinal);
    }
}
