using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Store.Data;
using SenderAuth.Server.Keys;

namespace SenderAuth.Tests.Server;

/// <summary>Keys at rest, limits and rate limits: each needs its own server settings.</summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
public sealed class SecurityTests
{
    [Fact]
    public async Task The_database_file_holds_no_private_key_in_clear()
    {
        await using var host = await ServerHost.StartAsync("sqlite");
        var client = host.Client();
        await client.CreateInstitution("vault");
        await client.CreateDomain("vault", "vault.example");
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await (await client.PutAsJsonAsync("/api/v1/institutions/vault/domains/vault.example/keys/stxsel2", new { pem = rsa.ExportPkcs8PrivateKeyPem() })).Json(HttpStatusCode.Created);

        // The private parts (d, p, q, dp, dq, qinv) of every key, imported or generated; the modulus is public.
        var secrets = new List<byte[]>();
        void AddPrivateParts(System.Security.Cryptography.RSAParameters p) => secrets.AddRange([p.D!, p.P!, p.Q!, p.DP!, p.DQ!, p.InverseQ!]);
        AddPrivateParts(rsa.ExportParameters(true));
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            var store = scope.ServiceProvider.GetRequiredService<KeyStore>();
            var rows = await db.Keys.ToListAsync(TestContext.Current.CancellationToken);
            Assert.True(rows.Count >= 4, $"{rows.Count} keys");
            foreach (var row in rows)
            {
                using var key = store.Open(row);
                using var opened = System.Security.Cryptography.RSA.Create();
                opened.ImportFromPem(key.ExportPem());
                AddPrivateParts(opened.ExportParameters(true));
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(host.DataDirectory, "senderauth.db*").SelectMany(File.ReadAllBytes).ToArray();
        var text = Encoding.ASCII.GetString(bytes);
        foreach (var part in secrets)
        {
            var window = part.AsSpan(part.Length / 4, 32).ToArray();
            Assert.True(bytes.AsSpan().IndexOf(window) < 0, "private key material is stored in clear");
            // In base64 too, whatever its alignment: three shifted encodings of the window.
            for (var shift = 0; shift < 3; shift++)
            {
                var encoded = Convert.ToBase64String(part.AsSpan(part.Length / 4 + shift, 30));
                Assert.DoesNotContain(encoded[4..36], text, StringComparison.Ordinal);
            }
        }
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sealed_key_does_not_open_under_another_master_key_or_in_another_row()
    {
        using var a = new KeyProtector(Enumerable.Repeat((byte)1, 32).ToArray());
        using var b = new KeyProtector(Enumerable.Repeat((byte)2, 32).ToArray());
        var sealedKey = a.Seal("secret"u8, "sel1-mosa._domainkey.dkim.ticketing.example");
        Assert.Equal("secret"u8.ToArray(), a.Open(sealedKey, "sel1-mosa._domainkey.dkim.ticketing.example"));
        var wrongMaster = Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => b.Open(sealedKey, "sel1-mosa._domainkey.dkim.ticketing.example"));
        Assert.Contains("another master key", wrongMaster.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => a.Open(sealedKey, "sel2-mosa._domainkey.dkim.ticketing.example"));
        sealedKey[^1] ^= 1;
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => a.Open(sealedKey, "sel1-mosa._domainkey.dkim.ticketing.example"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_oversized_message_is_413()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new() { ["SenderAuth:Limits:MaxMessageBytes"] = "4096" });
        var big = ApiClient.Message("tickets@x.example") + new string('a', 5000) + "\r\n";
        var problem = await (await host.Client().Sign(big)).Json(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("limit", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Without a Content-Length the limit holds while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(big)));
        chunked.Headers.ContentType = new("message/rfc822");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages/sign") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.Client().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Each_key_has_its_own_rate_limit()
    {
        await using var host = await ServerHost.StartAsync("sqlite", new()
        {
            ["SenderAuth:Limits:RequestsPerSecond"] = "1",
            ["SenderAuth:Limits:Burst"] = "4",
        });
        var op = host.Client();
        var other = host.Client((await (await op.PostJson("/api/v1/api-keys", new { name = "other", scopes = new[] { "admin" } })).Json(HttpStatusCode.Created))["key"]!.GetValue<string>());
        // Requests until the bucket runs dry: the fourth at the earliest, later only if the host is slow enough for the
        // one-per-second refill to keep up (a fixed count would make a slow machine a failure).
        HttpResponseMessage? limited = null;
        var sent = 0;
        while (limited is null && sent < 50)
        {
            var response = await op.GetAsync("/api/v1/institutions");
            sent++;
            limited = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }
        Assert.NotNull(limited);
        // The burst of 4 less the token the key creation above took.
        Assert.True(sent >= 4, $"limited after {sent} requests with a burst of 4, one spent on the key creation");
        Assert.Equal("1", limited.Headers.RetryAfter!.ToString());
        // Another key has its own bucket.
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/institutions")).StatusCode);
        // Health stays reachable: the limit is per API key, on the API.
        Assert.Equal(HttpStatusCode.OK, (await host.Client(null).GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Invalid_settings_stop_the_server_with_every_problem_named()
    {
        var options = new SenderAuth.Server.Hosting.ServerOptions
        {
            Database = SenderAuth.Store.Hosting.DatabaseKind.Postgres,
            Provider = { RsaBits = 512, SpfInclude = "spf.elsewhere.example" },
        };
        options.Provider.ApplyDefaults();
        var result = OptionsCheck.Validate(options);
        var failures = string.Join("\n", result.Failures ?? []);
        options.MasterKey = "c2hvcnQ=";
        Assert.Contains("must be base64 of exactly 32 bytes", string.Join("\n", OptionsCheck.Validate(options).Failures ?? []), StringComparison.Ordinal);
        foreach (var expected in new[] { "MasterKey (SENDERAUTH_MASTER_KEY) is required with Database=postgres", "ConnectionString is required", "RsaBits", "must be inside the provider zone" })
        {
            Assert.Contains(expected, failures, StringComparison.Ordinal);
        }
        // `serve` exits 2 on them with one line per problem, before opening anything. A child process: building a
        // second host in this process would race WebApplicationFactory's host interception in parallel tests.
        await SenderAuth.Tests.Shipped.Launcher.EnsureBuiltAsync();
        var start = SenderAuth.Tests.Shipped.Launcher.StartInfo(["serve", "--SenderAuth:Publishing:Mode=carrier-pigeon", "--SenderAuth:Provider:RsaBits=512"]);
        start.WorkingDirectory = Path.GetTempPath();
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("the configuration is not valid", stderr, StringComparison.Ordinal);
        // An unknown mode is found before binding (EnumSettings) and listed with the other problems, not thrown.
        Assert.Contains("SenderAuth:Publishing:Mode is \"carrier-pigeon\": use builtin, rfc2136, zonefile", stderr, StringComparison.Ordinal);
        Assert.Contains("RsaBits must be between 1024 and 4096", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
