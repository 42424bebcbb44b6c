using System.Net;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Tests.Cli;
using SenderAuth.Tests.Dashboard;
using SenderAuth.Tests.Interop;
using SenderAuth.Tests.Server;
using SenderAuth.Tests.Server.Milter;

namespace SenderAuth.Tests.Shipped;

/// <summary>
/// The product as shipped: one <c>./senderauth serve</c>, started as the README says (the launcher's Release build,
/// a fresh data folder, no secrets given: the master key is generated and the operator key printed once), with its
/// resolver on the test Knot and its milter where the test Postfix expects it. Each user-facing path goes through
/// this one process: the API's onboarding, the built-in DNS server, the milter through Postfix, the dashboard in
/// headless Chromium and the CLI's <c>status</c>. Test-host tests elsewhere are for speed; these are the proof.
/// </summary>
[Trait("Layer", "shipped")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "chromium")]
[Trait("Needs", "knot")]
[Trait("Needs", "peers")]
[Trait("Needs", "postfix")]
[Collection(ProviderZoneCollection.Name)]
public sealed class ShippedProductTests(ShippedProductTests.World world, Chromium chromium) : IClassFixture<ShippedProductTests.World>, IClassFixture<Chromium>
{
    private static int _counter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServerProcess Server => world.Postfix.Server;

    private static string Code(string prefix) => $"{prefix}{Environment.ProcessId % 1000}s{Interlocked.Increment(ref _counter)}";

    [Fact]
    public async Task Serve_FirstStart_PrintsAWorkingOperatorKeyAndServesApiDashboardAndOpenApi()
    {
        Assert.StartsWith("sa_", Server.OperatorKey, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(world.Postfix.DataDirectory, "master.key")), "no master key generated into the data folder");
        Assert.True(File.Exists(Path.Combine(world.Postfix.DataDirectory, "senderauth.db")), "no SQLite database in the data folder");
        using var anonymous = new HttpClient { BaseAddress = Server.Url };
        using var signin = await anonymous.GetAsync(new Uri("/dashboard/signin", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, signin.StatusCode);
        Assert.Equal("text/html", signin.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Sign in</h1>", await signin.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var css = await anonymous.GetAsync(new Uri("/dashboard/assets/dashboard.css", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        using var openApi = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        Assert.Contains("/api/v1/institutions", await openApi.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var unauthorized = await anonymous.GetAsync(new Uri("/api/v1/institutions", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        using var client = Server.Client();
        await (await client.GetAsync(new Uri("/api/v1/institutions", UriKind.Relative), Ct)).Json(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Serve_SecondServerOnTheSameMilterAddress_ExitsTwoAndStillShowsItsFirstRunKey()
    {
        // The milter used to set SO_REUSEPORT (through .NET's ReuseAddress): a second server bound the same port and
        // the kernel split the MTA's connections between two servers holding different keys.
        var data = Directory.CreateTempSubdirectory("sa-second-");
        try
        {
            var psi = Launcher.StartInfo(["serve", "--data", data.FullName, "--urls", "http://127.0.0.1:0", "--dns", "127.0.0.1:0", "--milter", Server.MilterAddress!]);
            psi.Environment.Remove("SENDERAUTH_OPERATOR_KEY");
            psi.Environment.Remove("SENDERAUTH_MASTER_KEY");
            using var second = System.Diagnostics.Process.Start(psi)!;
            var stdout = second.StandardOutput.ReadToEndAsync(Ct);
            var stderr = second.StandardError.ReadToEndAsync(Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await second.WaitForExitAsync(timeout.Token);
            var err = await stderr;
            Assert.True(second.ExitCode == 2, $"exit {second.ExitCode}\n{err}\n{await stdout}");
            Assert.Contains("already in use", err, StringComparison.Ordinal);
            // Its first start stored an operator key before failing: it is shown, or nobody could sign in later.
            Assert.Contains("operator key (shown once, store it now): sa_", err, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Api_OnboardingAgainstKnot_SignsAMessageThatVerifiesThroughTheBuiltInDns()
    {
        var domain = await world.Postfix.OnboardAsync(Code("shapi"), enableSigning: true);
        using var client = Server.Client();
        using var response = await client.Sign(ApiClient.Message($"tickets@{domain}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var signed = await response.Content.ReadAsByteArrayAsync(Ct);

        // The built-in DNS server answers for the provider zone on the port the banner names.
        Assert.NotNull(Server.DnsAddress);
        var builtIn = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(Server.DnsAddress)] });
        var knot = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(PostfixWorld.Env("SENDERAUTH_TEST_DNS"))] });
        var cname = (await knot.QueryAsync($"stxsel1._domainkey.{domain}", DnsRecordType.Cname, Ct)).Of<CnameRecord>().Single();
        var key = (await builtIn.QueryAsync(cname.Target, DnsRecordType.Txt, Ct)).Of<TxtRecord>().Single();
        Assert.Equal(world.Postfix.Keys[$"stxsel1._domainkey.{domain}"], key.Text);
        var soa = await builtIn.QueryAsync("ticketing.example", DnsRecordType.Soa, Ct);
        Assert.False(soa.IsEmpty, "the built-in DNS server has no SOA for the provider zone");

        // A receiver's view: the institution's zone on Knot, its CNAME followed into the built-in server's zone.
        var receiver = new ForwardingDnsResolver(knot, [new KeyValuePair<string, IDnsResolver>("ticketing.example", builtIn)]);
        var outcome = await new DkimVerifier(receiver).VerifyAsync(signed, Ct);
        var signature = Assert.Single(outcome.Signatures);
        Assert.True(signature.Result == DkimResult.Pass, $"{signature.Result} {signature.Reason} {signature.Detail}");
        Assert.Equal(domain, signature.Domain);

        // The CLI's status, against the same process, agrees: the domain is verified and signing.
        var (exit, output, error) = await CliRunner.RunAsync(null, "status", "--server", Server.Url.ToString().TrimEnd('/'), "--key", Server.OperatorKey, "--json");
        Assert.True(exit is 0 or 1, $"status exited {exit}: {error}");
        var row = System.Text.Json.JsonDocument.Parse(output).RootElement.EnumerateArray().Single(r => r.GetProperty("domain").GetString() == domain);
        Assert.Equal("verified", row.GetProperty("state").GetString());
        Assert.Equal("on", row.GetProperty("signing").GetString());
    }

    [Fact]
    public async Task Milter_ThroughPostfix_MailLeavesSignedAndDkimpyVerifiesIt()
    {
        var domain = await world.Postfix.OnboardAsync(Code("shmil"), enableSigning: true);
        var id = Guid.NewGuid().ToString("N");
        var (code, transcript) = await PostfixWorld.SwaksAsync(world.Postfix.Smtp, $"tickets@{domain}", id);
        Assert.True(code == 0, $"swaks exited {code}:\n{transcript}\n{Server.LogTail(20)}");
        var delivered = await world.Postfix.DeliveredAsync(id, 60);
        Assert.True(delivered is not null, $"message {id} was not delivered:\n{PostfixWorld.Queued()}\n{Server.LogTail(20)}");
        Assert.Equal((domain, "stxsel1"), Assert.Single(PostfixWorld.Signatures(delivered)));
        var (json, keyFile, files) = world.Postfix.PeerFiles([delivered]);
        var dkimpy = PeerTool.Get("dkimpy");
        await dkimpy.RequireAsync("rsa-sha256");
        var answer = Assert.Single(await dkimpy.VerifyAsync(json, keyFile, files));
        Assert.True(answer.Result == "pass", $"dkimpy: {answer.Result} {answer.Reason}");
    }

    [Fact]
    public async Task Dashboard_WizardFromSignInToSigningOn()
    {
        using var api = Server.Client();
        await DashboardJourneys.WizardJourneyAsync(chromium, Server.Url.ToString().TrimEnd('/'), Server.OperatorKey, api);
    }

    [Fact]
    public async Task Dashboard_ReportUploadShowsChartsSourcesAndAdvice()
    {
        using var api = Server.Client();
        await DashboardJourneys.ReportsJourneyAsync(chromium, Server.Url.ToString().TrimEnd('/'), Server.OperatorKey, api);
    }

    /// <summary>One shipped server for the class (its milter is the test Postfix's), started on first use.</summary>
    public sealed class World : IAsyncLifetime
    {
        private PostfixWorld? _postfix;

        public PostfixWorld Postfix => _postfix ?? throw Skipped();

        private static InvalidOperationException Skipped()
        {
            foreach (var name in Needed)
            {
                _ = PostfixWorld.Env(name); // skips the test, naming what is missing
            }
            return new InvalidOperationException("the shipped server did not start");
        }

        private static readonly string[] Needed = ["SENDERAUTH_TEST_DNS", "SENDERAUTH_TEST_MILTER", "SENDERAUTH_TEST_POSTFIX_SMTP"];

        public async ValueTask InitializeAsync()
        {
            // Without the test servers every test here skips (PostfixWorld.Env), with the reason, from its own body.
            foreach (var name in Needed)
            {
                if (string.IsNullOrEmpty(TestServers.Get(name)))
                {
                    return;
                }
            }
            _postfix = await PostfixWorld.StartAsync(firstRun: true, TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_postfix is not null)
            {
                await _postfix.DisposeAsync();
            }
        }
    }
}
