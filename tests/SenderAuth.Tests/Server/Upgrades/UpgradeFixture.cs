using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SenderAuth.Dns;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Shipped;

namespace SenderAuth.Tests.Server.Upgrades;

/// <summary>
/// What the upgrade and backup tests share: the fixture the release before this change left behind
/// (tests/fixtures/upgrade/NAME, its README says how it was made), copied to a temporary folder; this binary's
/// migrations (read from the model, never named here: other branches add migrations); and the DNS a receiver uses.
/// </summary>
internal static class UpgradeFixture
{
    /// <summary>The fixture made by main at 76e81d0, before upgrades were checked.</summary>
    public const string Previous = "v76e81d0";

    /// <summary>The fixture's operator key (SENDERAUTH_OPERATOR_KEY when it was made).</summary>
    public const string OperatorKey = "upgrade-fixture-operator-key-0123456789";

    public static string Folder(string name) => Path.Combine(Launcher.Root, "tests", "fixtures", "upgrade", name);

    /// <summary>A copy of a data folder of the fixture (<paramref name="folder"/> under it) as DIR/data in a fresh
    /// temporary folder (git keeps no modes: the server tightens them).</summary>
    public static DirectoryInfo CopyData(string name, string folder = "data")
    {
        var target = Directory.CreateTempSubdirectory("sa-upgrade-");
        var from = Path.Combine(Folder(name), folder);
        var data = Path.Combine(target.FullName, "data");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(data, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    /// <summary>This binary's migrations, oldest first (the test project is built from the same sources as ./senderauth).</summary>
    public static IReadOnlyList<string> KnownMigrations(bool postgres = false)
    {
        if (postgres)
        {
            // Never opened: the migrations are read from the assembly.
            using var pg = new PostgresSenderAuthDb(new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql("Host=127.0.0.1").Options);
            return pg.Database.GetMigrations().ToList();
        }
        var options = new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite("Data Source=:memory:").Options;
        using var db = new SqliteSenderAuthDb(options);
        return db.Database.GetMigrations().ToList();
    }

    /// <summary>The migration ids a PostgreSQL database records, in order.</summary>
    public static List<string> History(Npgsql.NpgsqlConnectionStringBuilder connection)
    {
        using var c = new Npgsql.NpgsqlConnection(connection.ConnectionString);
        c.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1", c);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>The migration ids an SQLite database records, in order.</summary>
    public static List<string> History(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// A receiver's DNS: the provider zone from the server's built-in DNS, and the institutions' zone (onboard.test,
    /// on Knot when the fixture was made) from the records the server says to publish there.
    /// </summary>
    public static IDnsResolver Receiver(string builtInDns, string? institutionZoneText = null)
    {
        var provider = new NetworkDnsResolver(new NetworkDnsResolverOptions { Servers = [NetworkDnsResolverOptions.ParseEndpoint(builtInDns)], Timeout = TimeSpan.FromSeconds(2) });
        if (institutionZoneText is null)
        {
            return provider;
        }
        var zone = ZoneFileParser.Parse(institutionZoneText, "onboard.test.");
        return new ForwardingDnsResolver(provider, [KeyValuePair.Create<string, IDnsResolver>("onboard.test", new ZoneDnsResolver(zone))]);
    }

    /// <summary>Server arguments for a start without a reachable resolver: the tests read only what is stored and published.</summary>
    public static string[] Serve(string data) =>
        ["serve", "--data", data, "--dns", "127.0.0.1:0", "--resolver", "127.0.0.1:9", "--SenderAuth:Resolver:TimeoutSeconds=1"];

    /// <summary>Loads a plain-SQL pg_dump into a database as docs/backup.md says: psql, one transaction, stop on the first error.</summary>
    public static async Task LoadDumpAsync(Npgsql.NpgsqlConnectionStringBuilder target, string dump, CancellationToken ct)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("psql") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--single-transaction", "-v", "ON_ERROR_STOP=1", "--quiet", "--file", dump })
        {
            psi.ArgumentList.Add(a);
        }
        (psi.Environment["PGHOST"], psi.Environment["PGPORT"], psi.Environment["PGUSER"], psi.Environment["PGPASSWORD"], psi.Environment["PGDATABASE"]) =
            (target.Host, target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), target.Username, target.Password, target.Database);
        using var psql = System.Diagnostics.Process.Start(psi)!;
        var error = psql.StandardError.ReadToEndAsync(ct);
        await psql.StandardOutput.ReadToEndAsync(ct);
        await psql.WaitForExitAsync(ct);
        Assert.True(psql.ExitCode == 0, $"psql exited {psql.ExitCode}: {await error}");
    }

    /// <summary>A new, empty database on the test PostgreSQL (SENDERAUTH_TEST_POSTGRES, a role with CREATEDB).</summary>
    public static async Task<Npgsql.NpgsqlConnectionStringBuilder> CreateDatabaseAsync(string admin, string prefix, CancellationToken ct)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var c = new Npgsql.NpgsqlConnection(admin);
        await c.OpenAsync(ct);
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
        await create.ExecuteNonQueryAsync(ct);
        return new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name };
    }

    public static async Task DropDatabaseAsync(string admin, string name)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var c = new Npgsql.NpgsqlConnection(admin);
        await c.OpenAsync(CancellationToken.None);
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
