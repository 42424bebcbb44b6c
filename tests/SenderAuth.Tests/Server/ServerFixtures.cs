namespace SenderAuth.Tests.Server;

/// <summary>One server per test class and database; tests use their own institution codes, so they can share it.</summary>
public abstract class ServerFixture(string database) : IAsyncLifetime
{
    private static int _counter;
    private ServerHost? _host;

    public string Database { get; } = database;

    public ServerHost Host => _host ?? throw new InvalidOperationException(SkipReason ?? "not started");

    public string? SkipReason { get; private set; }

    /// <summary>A fresh institution code: tests sharing the server never see each other's rows.</summary>
    public static string NewCode(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}";

    public async ValueTask InitializeAsync()
    {
        if (Database == "postgres" && !ServerHost.PostgresAvailable)
        {
            SkipReason = "PostgreSQL is not running (SENDERAUTH_TEST_POSTGRES is unset): run ./run-tests";
            return;
        }
        _host = await ServerHost.StartAsync(Database);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServerFixture() : ServerFixture("sqlite");

public sealed class PostgresServerFixture() : ServerFixture("postgres");
