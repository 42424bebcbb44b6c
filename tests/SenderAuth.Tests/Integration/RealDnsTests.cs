using System.Net;
using System.Text;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Spf;
using SenderAuth.Tests.Cli;
using SenderAuth.Tests.Dkim;

namespace SenderAuth.Tests.Integration;

/// <summary>SPF and DKIM over the network against the Knot server run-tests starts (zone auth.test).</summary>
[Trait("Layer", "interop")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
public class RealDnsTests
{
    private static string Server()
    {
        var env = TestServers.Get("SENDERAUTH_TEST_DNS");
        if (string.IsNullOrWhiteSpace(env))
        {
            Assert.Skip("real DNS server not started: run ./run-tests");
        }
        return env;
    }

    private static IDnsResolver Resolver() =>
        new CachingDnsResolver(new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(Server())] }));

    [Theory]
    [InlineData("192.0.2.44", SpfResult.Pass, "include:_spf.esp.auth.test")]
    [InlineData("2001:db8:25::7", SpfResult.Pass, "include:_spf.esp.auth.test")]
    [InlineData("198.51.100.25", SpfResult.Pass, "mx")]
    [InlineData("203.0.113.9", SpfResult.Fail, "-all")]
    public async Task Spf_OverRealDns(string ip, SpfResult result, string mechanism)
    {
        var outcome = await new SpfEvaluator(Resolver()).CheckMailFromAsync(IPAddress.Parse(ip), "tickets@auth.test", "mta.example",
            TestContext.Current.CancellationToken);
        Assert.Equal((result, mechanism), (outcome.Result, outcome.Mechanism));
    }

    [Fact]
    public async Task Dkim_Rfc8463MessageSignedForAuthTest_VerifiesOverRealDnsIncludingCname()
    {
        using var ed = DkimPrivateKey.FromPem(RfcVectors.Rfc8463Ed25519PrivateKey);
        using var rsa = DkimPrivateKey.FromPem(RfcVectors.Rfc8463RsaPrivateKey);
        var signer = new DkimSigner(new DkimSignerOptions
        {
            Keys = [new("auth.test", "brisbane", ed), new("auth.test", "test", rsa), new("auth.test", "delegated", ed), new("auth.test", "revoked", rsa)],
        });
        var signed = signer.Sign(Encoding.ASCII.GetBytes("From: Joe <joe@auth.test>\r\nSubject: hi\r\n\r\nbody\r\n"));
        var v = await new DkimVerifier(Resolver()).VerifyAsync(signed, TestContext.Current.CancellationToken);
        Assert.Equal(
            [(DkimResult.Pass, "brisbane"), (DkimResult.Pass, "test"), (DkimResult.Pass, "delegated"), (DkimResult.PermError, "revoked")],
            v.Signatures.Select(s => (s.Result, s.Selector!)));
        Assert.Equal(DkimReason.KeyRevoked, v.Signatures[3].Reason);
    }

    [Fact]
    public async Task Cli_SpfAndLint_WithResolverOption()
    {
        var server = Server();
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "--ip", "192.0.2.44", "--mail-from", "a@auth.test", "--resolver", server, "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"result\": \"pass\"", stdout, StringComparison.Ordinal);
        var (lintExit, lint, _) = await CliRunner.RunAsync(null, "spf", "lint", "auth.test", "--resolver", server, "--json");
        Assert.Equal(0, lintExit);
        Assert.Contains("\"dnsLookups\": 2", lint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_DkimSignWithHeadersAndExpiry_VerifiesWithResolverOption()
    {
        var server = Server();
        var key = Path.Combine(Directory.CreateTempSubdirectory("sa-dkim-resolver").FullName, "brisbane.pem");
        await File.WriteAllTextAsync(key, RfcVectors.Rfc8463Ed25519PrivateKey, TestContext.Current.CancellationToken);
        var (exit, signed, err) = await CliRunner.RunAsync("From: Joe <joe@auth.test>\r\nTo: a@example.net\r\nSubject: hi\r\n\r\nbody\r\n",
            "dkim", "sign", "--key", key, "--domain", "auth.test", "--selector", "brisbane", "--headers", "From:Subject", "--expire", "3600");
        Assert.True(exit == 0, err);
        var field = DkimSignature.Parse(signed[..signed.IndexOf("\r\nFrom:", StringComparison.Ordinal)]["DKIM-Signature:".Length..], out _, out var error);
        Assert.True(field is not null, error);
        // Only the named headers, each over-signed once (To is not named, so not signed).
        Assert.Equal(["From", "From", "Subject", "Subject"], field.SignedHeaders);
        Assert.Equal(field.Timestamp + 3600, field.Expiration);

        var (vexit, verdict, _) = await CliRunner.RunAsync(signed, "dkim", "verify", "--resolver", server, "--json");
        Assert.Equal(0, vexit);
        var sig = System.Text.Json.JsonDocument.Parse(verdict).RootElement.GetProperty("signatures")[0];
        Assert.Equal(("pass", "brisbane"), (sig.GetProperty("result").GetString(), sig.GetProperty("selector").GetString()));
        File.Delete(key);
    }

    [Fact]
    public async Task Cli_Spf_UnreachableResolver_TempErrorExit3()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "spf", "--ip", "192.0.2.44", "--mail-from", "a@auth.test", "--resolver", "127.0.0.1:9", "--dns-timeout", "0.3", "--json");
        Assert.Equal(3, exit);
        Assert.Contains("\"result\": \"temperror\"", stdout, StringComparison.Ordinal);
    }
}
