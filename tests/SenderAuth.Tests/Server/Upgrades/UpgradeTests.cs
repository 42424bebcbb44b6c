using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// Upgrades through the real process (<c>./senderauth serve</c>): the previous release's database (the fixture)
/// upgrades and serves, its keys sign and verify against what is published; an old schema gets every migration
/// applied in order with each one logged; a database a newer release migrated is refused with exit 2 and left as it
/// was. No migration is named here: the list comes from this binary's model, so migrations added later are covered.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "postgres")]
public sealed class UpgradeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PreviousReleaseDatabase_UpgradesAtStart_ServesItsData_AndSignsWithItsKeys()
    {
        var temp = UpgradeFixture.CopyData(UpgradeFixture.Previous);
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            var database = Path.Combine(data, "senderauth.db");
            var known = UpgradeFixture.KnownMigrations();
            var before = UpgradeFixture.History(database);
            Assert.Empty(before.Except(known));
            var pending = known.Except(before).ToList();
            var fixture = UpgradeFixture.Folder(UpgradeFixture.Previous);
            await using (var server = await ServerProcess.StartAsync(UpgradeFixture.Serve(data), UpgradeFixture.OperatorKey, masterKey: null, Ct))
            {
                AssertUpgradeLogged(server.Log, before.Count > 0 ? before[^1] : null, pending);
                Assert.Equal(known, UpgradeFixture.History(database));
                await AssertServesFixtureAsync(server, fixture);
            }

            // The next start finds the schema current and changes nothing.
            await using (var again = await ServerProcess.StartAsync(UpgradeFixture.Serve(data), UpgradeFixture.OperatorKey, masterKey: null, Ct))
            {
                Assert.Contains($"Database schema is current: {known.Count} migrations, the last {known[^1]}", again.Log, StringComparison.Ordinal);
                Assert.DoesNotContain("Database schema upgrade", again.Log, StringComparison.Ordinal);
                await (await again.Client().GetAsync("/api/v1/institutions/museum/domains/museum.onboard.test", Ct)).Json(HttpStatusCode.OK);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The fixture's data through the API (institutions, domains, webhooks, the uploaded report), a message signed with
    /// its institution's sign-only key and the domain's sealed key, verified against the published records (as is the
    /// message that release signed), and the provider's own key likewise.
    /// </summary>
    private static async Task AssertServesFixtureAsync(ServerProcess server, string fixture)
    {
        var op = server.Client();

        // Its data, listed through the API.
        var institutions = await (await op.GetAsync("/api/v1/institutions", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(["museum", "opera"], institutions["items"]!.AsArray().Select(i => i!["code"]!.GetValue<string>()).Order());
        var domains = await (await op.GetAsync("/api/v1/institutions/museum/domains", Ct)).Json(HttpStatusCode.OK);
        var museum = Assert.Single(domains["items"]!.AsArray(), d => d!["name"]!.GetValue<string>() == "museum.onboard.test")!;
        Assert.True(museum["signingEnabled"]!.GetValue<bool>(), museum.ToJsonString());
        Assert.Contains(domains["items"]!.AsArray(), d => d!["name"]!.GetValue<string>() == "shop-museum.onboard.test");
        var webhooks = await (await op.GetAsync("/api/v1/webhooks", Ct)).Json(HttpStatusCode.OK);
        Assert.Equal(["https://hooks.museum.example/senderauth", "https://ops.provider.example/hooks"],
            webhooks["items"]!.AsArray().Select(w => w!["url"]!.GetValue<string>()).Order());
        var reports = await (await op.GetAsync("/api/v1/institutions/museum/domains/museum.onboard.test/reports", Ct)).Json(HttpStatusCode.OK);
        var report = Assert.Single(reports["items"]!.AsArray(), r => r!["reportId"]!.GetValue<string>() == "fixture-report-1")!;
        Assert.Equal(13, report["messages"]!.GetValue<long>());

        // The institution's sign-only key of that release signs with the domain's sealed key (the master key
        // from the data folder opens it), and a receiver verifies it against the published records.
        using var app = new HttpClient { BaseAddress = server.Url };
        app.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(fixture, "institution-key"), Ct)).Trim());
        var signed = await app.Sign(ApiClient.Message("tickets@museum.onboard.test"));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("signed; d=museum.onboard.test; s=stxsel1", signed.Headers.GetValues("SenderAuth-Signing").Single());
        var records = await (await op.GetAsync("/api/v1/institutions/museum/domains/museum.onboard.test/records?format=zone", Ct)).Content.ReadAsStringAsync(Ct);
        var receiver = UpgradeFixture.Receiver(server.DnsAddress!, records);
        await AssertVerifiesAsync(receiver, await signed.Content.ReadAsByteArrayAsync(Ct), "museum.onboard.test");
        // What the old release signed still verifies: the same keys are published, unchanged.
        await AssertVerifiesAsync(receiver, await File.ReadAllBytesAsync(Path.Combine(fixture, "signed.eml"), Ct), "museum.onboard.test");

        // The provider's own key, for the institution whose policy signs with the provider domain.
        var provider = await op.Sign(ApiClient.Message("tickets@opera.onboard.test"), "?institution=opera");
        Assert.Equal(HttpStatusCode.OK, provider.StatusCode);
        await AssertVerifiesAsync(UpgradeFixture.Receiver(server.DnsAddress!), await provider.Content.ReadAsByteArrayAsync(Ct), "ticketing.example");
    }

    [Fact]
    public async Task Postgres_PreviousReleaseDump_UpgradesAtStart_ServesItsData_AndSignsWithItsKeys()
    {
        var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip("SENDERAUTH_TEST_POSTGRES is not set: the PostgreSQL test server (tests/servers/postgres) was not started; run ./run-tests");
        }
        var cs = await UpgradeFixture.CreateDatabaseAsync(admin, "sa_upgrade", Ct);
        var fixture = Path.Combine(UpgradeFixture.Folder(UpgradeFixture.Previous), "postgres");
        var temp = UpgradeFixture.CopyData(UpgradeFixture.Previous, Path.Combine("postgres", "data"));
        try
        {
            // Loaded as docs/backup.md says a pg_dump backup is restored.
            await UpgradeFixture.LoadDumpAsync(cs, Path.Combine(fixture, "dump.sql"), Ct);
            var known = UpgradeFixture.KnownMigrations(postgres: true);
            var before = UpgradeFixture.History(cs);
            Assert.Empty(before.Except(known));
            var master = (await File.ReadAllTextAsync(Path.Combine(fixture, "master.key"), Ct)).Trim();
            string[] args = [.. UpgradeFixture.Serve(Path.Combine(temp.FullName, "data")), "--database", "postgres", "--connection-string", cs.ConnectionString];
            await using var server = await ServerProcess.StartAsync(args, UpgradeFixture.OperatorKey, master, Ct);
            AssertUpgradeLogged(server.Log, before.Count > 0 ? before[^1] : null, known.Except(before).ToList());
            Assert.Equal(known, UpgradeFixture.History(cs));
            await AssertServesFixtureAsync(server, fixture);
        }
        finally
        {
            temp.Delete(recursive: true);
            await UpgradeFixture.DropDatabaseAsync(admin, cs.Database!);
        }
    }

    [Fact]
    public async Task OldestSchema_UpgradesAtStart_EachMigrationLoggedInOrder()
    {
        var temp = Directory.CreateTempSubdirectory("sa-upgrade-");
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            Directory.CreateDirectory(data);
            var database = Path.Combine(data, "senderauth.db");
            var known = UpgradeFixture.KnownMigrations();
            await MigrateToAsync(database, known[0]);
            await using (var server = await ServerProcess.StartAsync(UpgradeFixture.Serve(data), UpgradeFixture.OperatorKey, masterKey: null, Ct))
            {
                AssertUpgradeLogged(server.Log, known[0], known.Skip(1).ToList());
                Assert.Equal(known, UpgradeFixture.History(database));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task NewerDatabase_IsRefusedAtStart_WithExit2_AndNothingMigrated()
    {
        var temp = Directory.CreateTempSubdirectory("sa-upgrade-");
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            Directory.CreateDirectory(data);
            var database = Path.Combine(data, "senderauth.db");
            var known = UpgradeFixture.KnownMigrations();
            // Our first migration and one from a newer release: were the refusal made after migrating, the rest of
            // ours would now be applied to a schema we do not know.
            await MigrateToAsync(database, known[0]);
            const string future = "99991231235959_FromANewerRelease";
            UpgradeFixture.Execute(database, $"INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('{future}', '99.0.0')");
            var checksum = Sha256(database);

            var (exit, _, stderr) = await CliRunner.RunAsync(null, [.. UpgradeFixture.Serve(data), "--milter", "none", "--urls", "http://127.0.0.1:0"]);

            Assert.True(exit == 2, $"exit {exit}: {stderr}");
            Assert.Contains($"senderauth serve: the database was upgraded by a newer SenderAuth: it records migration {future}, which this version does not have (its newest is {known[^1]}). Nothing was changed.", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.Equal([known[0], future], UpgradeFixture.History(database));
            Assert.Equal(checksum, Sha256(database));

            // `report --db` opens the database the same way and refuses it the same way (exit 2, nothing imported).
            var report = Path.Combine(temp.FullName, "r.xml");
            await File.WriteAllTextAsync(report, "<feedback/>", Ct);
            var (reportExit, _, reportErr) = await CliRunner.RunAsync(null, "report", "--db", report, "--data", data);
            Assert.True(reportExit == 2, $"exit {reportExit}: {reportErr}");
            Assert.Contains(future, reportErr, StringComparison.Ordinal);
            Assert.Equal(checksum, Sha256(database));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
        }
    }

    /// <summary>The start's log: each pending migration applied, in order, with its time; or the schema current.</summary>
    internal static void AssertUpgradeLogged(string log, string? from, IReadOnlyList<string> pending)
    {
        if (pending.Count == 0)
        {
            Assert.Contains("Database schema is current", log, StringComparison.Ordinal);
            return;
        }
        Assert.Contains($"Database schema upgrade: {pending.Count} migrations to apply, from {from ?? "an empty database"} to {pending[^1]}", log, StringComparison.Ordinal);
        var at = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var line = $"Migration {pending[i]} applied ({i + 1} of {pending.Count}) in ";
            var next = log.IndexOf(line, StringComparison.Ordinal);
            Assert.True(next > at, $"\"{line}\" is missing or out of order in the log:\n{log}");
            at = next;
        }
        Assert.Contains($"Database schema upgraded: {pending.Count} migrations in ", log, StringComparison.Ordinal);
    }

    internal static async Task AssertVerifiesAsync(IDnsResolver receiver, byte[] message, string domain)
    {
        var outcome = await new DkimVerifier(receiver).VerifyAsync(message, Ct);
        var signature = Assert.Single(outcome.Signatures);
        Assert.True(signature.Result == DkimResult.Pass, $"{signature.Result} {signature.Reason} {signature.Detail}");
        Assert.Equal(domain, signature.Domain);
    }

    private static async Task MigrateToAsync(string database, string migration)
    {
        var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={database};Pooling=False").Options;
        await using var db = new SqliteSenderAuthDb(options);
        await db.GetService<IMigrator>().MigrateAsync(migration, Ct);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
