using SenderAuth.Server.Hosting;
using SenderAuth.Server.Publishing;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// The publishing section's start-up check holds the publishers' own checks (TSIG algorithm, key name, zone-file
/// folder, rate limits), so a bad one stops <c>serve</c> with exit 2 and every problem named, not exit 70 when the
/// publisher is built.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class PublishingSettingsValidatorTests
{
    private static readonly string Secret = Convert.ToBase64String(new byte[32]);

    private static List<string> Problems(PublishingSettings settings) =>
        [.. new PublishingSettingsValidator().Validate(null, settings).Failures ?? []];

    private static PublishingSettings Rfc2136(string algorithm, string keyName = "senderauth") => new()
    {
        Mode = PublishingMode.Rfc2136, Rfc2136Server = "192.0.2.53", TsigKeyName = keyName, TsigSecret = Secret, TsigAlgorithm = algorithm,
    };

    [Theory]
    [InlineData("hmac-sha256")]
    [InlineData("hmac-sha384")]
    [InlineData("hmac-sha512")]
    [InlineData("hmac-sha224")]
    [InlineData("hmac-sha1")]
    public void Rfc2136_EveryDocumentedAlgorithm_Accepted(string algorithm) => Assert.Empty(Problems(Rfc2136(algorithm)));

    [Fact]
    public void Rfc2136_HmacMd5_NamedWithTheAlgorithmsToUse()
    {
        var problem = Assert.Single(Problems(Rfc2136("hmac-md5")));
        Assert.Equal("SenderAuth:Publishing: Rfc2136.TsigAlgorithm 'hmac-md5' is not supported; use one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1", problem);
    }

    [Fact]
    public void Rfc2136_BadAlgorithmAndBadKeyName_BothListed()
    {
        var problems = Problems(Rfc2136("hmac-md5", keyName: "bad..name"));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("Rfc2136.TsigKeyName is not a valid key name: 'bad..name'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Rfc2136.TsigAlgorithm 'hmac-md5'", StringComparison.Ordinal));
    }

    [Fact]
    public void Rfc2136_MissingServerAndSecret_Named()
    {
        var problems = Problems(new PublishingSettings { Mode = PublishingMode.Rfc2136, TsigKeyName = "senderauth" });
        Assert.Contains("SenderAuth:Publishing:Rfc2136Server must be the primary's IP[:PORT] with Mode=rfc2136", problems);
        Assert.Contains(problems, p => p.Contains("Rfc2136.TsigSecret must be the key's secret in base64", StringComparison.Ordinal));
    }

    [Fact]
    public void ZoneFile_FolderMissing_Named()
    {
        var problem = Assert.Single(Problems(new PublishingSettings { Mode = PublishingMode.ZoneFile, ZoneFile = "/no/such/folder/provider.zone" }));
        Assert.Equal("SenderAuth:Publishing: ZoneFile.Path: the folder of '/no/such/folder/provider.zone' does not exist", problem);
        Assert.Empty(Problems(new PublishingSettings { Mode = PublishingMode.ZoneFile, ZoneFile = Path.Combine(Path.GetTempPath(), "provider.zone") }));
    }

    [Fact]
    public void BuiltIn_BadRateLimit_NamedOnce()
    {
        var settings = new PublishingSettings { DnsRateLimit = new DnsRateLimitOptions { ResponsesPerSecond = -1 } };
        var problem = Assert.Single(Problems(settings));
        Assert.StartsWith("SenderAuth:Publishing:DnsRateLimit: ResponsesPerSecond", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadAlgorithmAndKeyName_Exits2WithBothNamed()
    {
        await SenderAuth.Tests.Shipped.Launcher.EnsureBuiltAsync();
        var data = Directory.CreateTempSubdirectory("senderauth-tsig-");
        try
        {
            var start = SenderAuth.Tests.Shipped.Launcher.StartInfo(["serve", "--data", data.FullName, "--publish", "rfc2136",
                "--SenderAuth:Publishing:Rfc2136Server=127.0.0.1:5399", "--SenderAuth:Publishing:TsigKeyName=bad..name",
                $"--SenderAuth:Publishing:TsigSecret={Secret}", "--SenderAuth:Publishing:TsigAlgorithm=hmac-md5"]);
            start.WorkingDirectory = Path.GetTempPath();
            using var process = System.Diagnostics.Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}\n{stderr}\n{await stdout}");
            Assert.Contains("the configuration is not valid", stderr, StringComparison.Ordinal);
            Assert.Contains("Rfc2136.TsigAlgorithm 'hmac-md5' is not supported; use one of hmac-sha256", stderr, StringComparison.Ordinal);
            Assert.Contains("Rfc2136.TsigKeyName is not a valid key name: 'bad..name'", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
