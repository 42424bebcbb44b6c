using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SenderAuth.Server.Reports;

/// <summary>
/// A PostgreSQL session-level advisory lock held on its own connection for as long as a piece of work runs (an
/// IMAP poll: minutes, not one transaction). The connection is not pooled, so if the instance dies the session
/// ends and the lock with it. On SQLite (one instance) there is nothing to exclude: the lock is always granted.
/// </summary>
internal sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection? _connection;
    private readonly long _key;

    private AdvisoryLock(NpgsqlConnection? connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>The lock for <paramref name="name"/>, or null when another session holds it.</summary>
    public static async Task<AdvisoryLock?> TryTakeAsync(StoreOptions options, string name, CancellationToken ct)
    {
        if (options.Database != DatabaseKind.Postgres)
        {
            return new AdvisoryLock(null, 0);
        }
        var key = Key(name);
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } };
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is true)
            {
                return new AdvisoryLock(connection, key);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>A stable 64-bit key from the name (the same on every instance and every version).</summary>
    internal static long Key(string name) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("senderauth:" + name)));

    public async ValueTask DisposeAsync()
    {
        if (_connection is null)
        {
            return;
        }
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection) { Parameters = { new() { Value = _key } } };
            await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The session is gone: so is the lock. Closing the connection below ends the session in any case.
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
