using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Npgsql;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Cli;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// A migration that fails half-way through the real upgrade (issue 25): the previous release's database (the
/// fixture) with a table planted under the name a pending migration creates, after other statements of that migration
/// ran. `./senderauth serve` must stop with exit 70 (docs/backup.md, "Upgrades") and one line naming the migration;
/// the failed migration must leave nothing (its history row and every schema change it made rolled back, compared
/// with the fixture migrated to just before it), and `report --db` refuses it the same way; with the planted table
/// gone, the next start completes the upgrade and serves. No migration is named here: the one to break is read from this binary's model.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "postgres")]
public sealed class MigrationFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_MigrationFailsHalfWay_Exit70NamingIt_LeavesNothing_NextStartCompletes()
    {
        var temp = UpgradeFixture.CopyData(UpgradeFixture.Previous);
        var reference = Directory.CreateTempSubdirectory("sa-upgrade-reference-");
        try
        {
            var data = Path.Combine(temp.FullName, "data");
            var database = Path.Combine(data, "senderauth.db");
            var known = UpgradeFixture.KnownMigrations();
            var before = UpgradeFixture.History(database);
            var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={database};Pooling=False").Options;
            var (failing, table, at) = Breakable(() => new SqliteSenderAuthDb(options), known.Except(before).ToList(), before);
            var plant = $"CREATE TABLE \"{table}\" (\"Planted\" INTEGER)";

            // What the database must look like after the failed start: the fixture migrated to just before the failing
            // migration, with the planted table. Made on a copy, in this process, by EF's own migrator.
            var expected = Path.Combine(reference.FullName, "senderauth.db");
            File.Copy(database, expected);
            var referenceOptions = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite($"Data Source={expected};Pooling=False").Options;
            await using (var db = new SqliteSenderAuthDb(referenceOptions))
            {
                await db.GetService<IMigrator>().MigrateAsync(at, Ct);
            }
            UpgradeFixture.Execute(expected, plant);
            UpgradeFixture.Execute(database, plant);

            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, [.. UpgradeFixture.Serve(data), "--milter", "none", "--urls", "http://127.0.0.1:0"]);

            AssertFailedStart(exit, stdout, stderr, failing, at);
            Assert.Equal(UpgradeFixture.History(expected), UpgradeFixture.History(database));
            Assert.DoesNotContain(failing, UpgradeFixture.History(database));
            Assert.Equal(SqliteSchema(expected), SqliteSchema(database));

            // `report --db` upgrades the same way before it imports: the same line, exit 70 as `serve` (a refused
            // statement is no outage to retry), nothing imported and nothing left of the migration.
            var report = Path.Combine(temp.FullName, "r.xml");
            await File.WriteAllTextAsync(report, "<feedback/>", Ct);
            var (reportExit, _, reportErr) = await CliRunner.RunAsync(null, "report", "--db", report, "--data", data);
            Assert.True(reportExit == 70, $"report --db exited {reportExit}: {reportErr}");
            Assert.Contains($"migration {failing} failed and was rolled back: ", reportErr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", reportErr, StringComparison.Ordinal);
            Assert.Equal(SqliteSchema(expected), SqliteSchema(database));
            Assert.Equal(UpgradeFixture.History(expected), UpgradeFixture.History(database));

            // The cause removed, the next start applies what is left and serves.
            UpgradeFixture.Execute(database, $"DROP TABLE \"{table}\"");
            await using var server = await ServerProcess.StartAsync(UpgradeFixture.Serve(data), UpgradeFixture.OperatorKey, masterKey: null, Ct);
            var history = UpgradeFixture.History(expected);
            UpgradeTests.AssertUpgradeLogged(server.Log, history.Count > 0 ? history[^1] : null, known.Except(history).ToList());
            Assert.Equal(known, UpgradeFixture.History(database));
            await (await server.Client().GetAsync("/api/v1/institutions/museum/domains/museum.onboard.test", Ct)).Json(HttpStatusCode.OK);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
            reference.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_MigrationFailsHalfWay_Exit70NamingIt_LeavesNothing_NextStartCompletes()
    {
        var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip("SENDERAUTH_TEST_POSTGRES is not set: the PostgreSQL test server (tests/servers/postgres) was not started; run ./run-tests");
        }
        var fixture = Path.Combine(UpgradeFixture.Folder(UpgradeFixture.Previous), "postgres");
        var cs = await UpgradeFixture.CreateDatabaseAsync(admin, "sa_failed", Ct);
        var expected = await UpgradeFixture.CreateDatabaseAsync(admin, "sa_failed_ref", Ct);
        var temp = UpgradeFixture.CopyData(UpgradeFixture.Previous, Path.Combine("postgres", "data"));
        try
        {
            await UpgradeFixture.LoadDumpAsync(cs, Path.Combine(fixture, "dump.sql"), Ct);
            await UpgradeFixture.LoadDumpAsync(expected, Path.Combine(fixture, "dump.sql"), Ct);
            var known = UpgradeFixture.KnownMigrations(postgres: true);
            var before = UpgradeFixture.History(cs);
            var options = new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql(cs.ConnectionString).Options;
            var (failing, table, at) = Breakable(() => new PostgresSenderAuthDb(options), known.Except(before).ToList(), before);
            var plant = $"CREATE TABLE \"{table}\" (\"Planted\" integer)";
            var referenceOptions = new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql(expected.ConnectionString).Options;
            await using (var db = new PostgresSenderAuthDb(referenceOptions))
            {
                await db.GetService<IMigrator>().MigrateAsync(at, Ct);
            }
            await ExecuteAsync(expected, plant);
            await ExecuteAsync(cs, plant);

            var master = (await File.ReadAllTextAsync(Path.Combine(fixture, "master.key"), Ct)).Trim();
            string[] args = [.. UpgradeFixture.Serve(Path.Combine(temp.FullName, "data")), "--database", "postgres", "--connection-string", cs.ConnectionString];
            var env = new Dictionary<string, string> { ["SENDERAUTH_MASTER_KEY"] = master, ["SENDERAUTH_OPERATOR_KEY"] = UpgradeFixture.OperatorKey };
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, env, [.. args, "--milter", "none", "--urls", "http://127.0.0.1:0"]);

            AssertFailedStart(exit, stdout, stderr, failing, at);
            Assert.Equal(UpgradeFixture.History(expected), UpgradeFixture.History(cs));
            Assert.DoesNotContain(failing, UpgradeFixture.History(cs));
            Assert.Equal(await PostgresSchemaAsync(expected), await PostgresSchemaAsync(cs));

            await ExecuteAsync(cs, $"DROP TABLE \"{table}\"");
            await using var server = await ServerProcess.StartAsync(args, UpgradeFixture.OperatorKey, master, Ct);
            var history = UpgradeFixture.History(expected);
            UpgradeTests.AssertUpgradeLogged(server.Log, history.Count > 0 ? history[^1] : null, known.Except(history).ToList());
            Assert.Equal(known, UpgradeFixture.History(cs));
            await (await server.Client().GetAsync("/api/v1/institutions/museum/domains/museum.onboard.test", Ct)).Json(HttpStatusCode.OK);
        }
        finally
        {
            temp.Delete(recursive: true);
            await UpgradeFixture.DropDatabaseAsync(admin, cs.Database!);
            await UpgradeFixture.DropDatabaseAsync(admin, expected.Database!);
        }
    }

    /// <summary>
    /// The pending migration to break, the table to plant, and the migration before it (where the database must stay):
    /// the last pending migration that creates a table after other statements of its own, so that the failure comes
    /// half-way and those statements must be rolled back; failing that, any pending migration that creates a table.
    /// </summary>
    private static (string Failing, string Table, string At) Breakable(Func<SenderAuthDb> open, List<string> pending, List<string> applied)
    {
        using var db = open();
        var migrations = db.GetService<IMigrationsAssembly>();
        var candidates = pending
            .Select(id => (Id: id, Operations: migrations.CreateMigration(migrations.Migrations[id], db.Database.ProviderName!).UpOperations))
            .Select(m => (m.Id, Index: m.Operations.ToList().FindLastIndex(o => o is CreateTableOperation), m.Operations))
            .Where(m => m.Index >= 0)
            .ToList();
        Assert.True(candidates.Count > 0, $"no pending migration of the fixture creates a table ({string.Join(", ", pending)}): plant another kind of object");
        var halfWay = candidates.Where(c => c.Index > 0).ToList();
        var (id, index, operations) = halfWay.Count > 0 ? halfWay[^1] : candidates[^1];
        var position = pending.IndexOf(id);
        Assert.True(position > 0 || applied.Count > 0, "the fixture records no migration");
        var at = position > 0 ? pending[position - 1] : applied[^1];
        return (id, ((CreateTableOperation)operations[index]).Name, at);
    }

    private static void AssertFailedStart(int exit, string stdout, string stderr, string failing, string at)
    {
        Assert.True(exit == 70, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains($"senderauth serve: migration {failing} failed and was rolled back: ", stderr, StringComparison.Ordinal);
        Assert.Contains($"The database stays at {at}; remove the cause and start again", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>Every object of an SQLite database with its definition, in order.</summary>
    private static List<string> SqliteSchema(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    /// <summary>The public schema's columns, indexes and constraints with their definitions, in order.</summary>
    private static async Task<List<string>> PostgresSchemaAsync(NpgsqlConnectionStringBuilder database)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ': ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            ORDER BY 1
            """;
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnectionStringBuilder database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
