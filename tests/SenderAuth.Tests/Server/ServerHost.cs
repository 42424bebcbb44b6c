using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace SenderAuth.Tests.Server;

/// <summary>
/// One server under test (WebApplicationFactory over the real Program), on SQLite in a temp folder or on a fresh
/// database of the PostgreSQL that run-tests starts. The built-in DNS server listens on a free loopback port.
/// </summary>
public sealed class ServerHost : WebApplicationFactory<SenderAuth.Server.ServerApp>
{
    public const string OperatorKey = "sa_test-operator-key-0123456789abcdef";
    public static readonly string MasterKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string? _postgresDatabase;

    public string DataDirectory { get; }

    public string Database { get; }

    private ServerHost(string database, Dictionary<string, string?> settings, string? postgresDatabase, Action<IServiceCollection>? services, string? dataDirectory)
    {
        _services = services;
        Database = database;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("sa-server-").FullName;
        _postgresDatabase = postgresDatabase;
        _settings = new Dictionary<string, string?>
        {
            ["SenderAuth:DataDirectory"] = DataDirectory,
            ["SenderAuth:OperatorKey"] = OperatorKey,
            ["SenderAuth:MasterKey"] = MasterKey,
            ["SenderAuth:Publishing:Dns"] = "127.0.0.1:0",
            // Institutions' zones come from the test Knot for the classes that declare it ([Trait("Needs", "knot")]), and
            // only for them: every server test builds a host, and Knot is neither installed nor started for the others.
            // Theirs is a closed port, which answers at once (the checks report DNS that could not answer); the
            // provider's own zone is still served by the host's built-in DNS, which the resolver forwards it to.
            ["SenderAuth:Resolver:Servers:0"] = (TestNeeds.Declares("knot") ? TestServers.Get("SENDERAUTH_TEST_DNS") : null) ?? "127.0.0.1:9",
            ["SenderAuth:Resolver:TimeoutSeconds"] = "2",
            ["SenderAuth:Provider:RsaBits"] = "1024",
            ["Logging:LogLevel:Default"] = "Warning",
            // Tests drive the scheduler themselves (MonitorService.RunOnceAsync), on their own clock.
            ["SenderAuth:Monitoring:Enabled"] = "false",
            // Many hosts run at once: each milter on a free port (the default 8891 would be taken by the first).
            ["SenderAuth:Milter:Listen"] = "inet:127.0.0.1:0",
        };
        foreach (var (k, v) in settings)
        {
            _settings[k] = v;
        }
    }

    public static bool PostgresAvailable => TestServers.Get("SENDERAUTH_TEST_POSTGRES") is not null;

    /// <summary>A server on SQLite, or on a new PostgreSQL database when <paramref name="database"/> is "postgres".</summary>
    public static async Task<ServerHost> StartAsync(string database, Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, string? dataDirectory = null, bool keepDatabase = false, bool kestrel = false)
    {
        settings ??= [];
        string? pgName = null;
        if (database == "postgres" && settings.ContainsKey("SenderAuth:ConnectionString"))
        {
            // A restart on the same PostgreSQL database: the caller owns (and drops) it.
            settings["SenderAuth:Database"] = "postgres";
        }
        else if (database == "postgres")
        {
            var admin = TestServers.Get("SENDERAUTH_TEST_POSTGRES")
                ?? throw new InvalidOperationException("PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES)");
            pgName = "sa_" + Guid.NewGuid().ToString("N")[..12];
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {pgName}", connection);
                await create.ExecuteNonQueryAsync();
            }
            settings["SenderAuth:Database"] = "postgres";
            settings["SenderAuth:ConnectionString"] = new NpgsqlConnectionStringBuilder(admin) { Database = pgName }.ConnectionString;
        }
        var host = new ServerHost(database, settings, keepDatabase ? null : pgName, services, dataDirectory) { KeepData = dataDirectory is not null || keepDatabase };
        if (kestrel)
        {
            // A real loopback socket, for clients outside this process's HttpClient (the CLI).
            host.UseKestrel(0);
            host.StartServer();
        }
        else
        {
            _ = host.Server; // starts it: migrations, first publish
        }
        return host;
    }

    /// <summary>Leave the data folder (and database) in place on dispose: another host restarts on it.</summary>
    public bool KeepData { get; private init; }

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>The Kestrel address when started with kestrel: true.</summary>
    public string ServerAddress => Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public HttpClient Client(string? key = OperatorKey)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            await using var connection = new NpgsqlConnection(TestServers.Get("SENDERAUTH_TEST_POSTGRES"));
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (KeepData)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
