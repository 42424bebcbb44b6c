namespace SenderAuth.Store.Hosting;

/// <summary>
/// Where the server keeps its data (<c>SenderAuth:Database</c>, <c>--database</c>); the CLI's output and a backup's
/// manifest spell it <c>sqlite</c> / <c>postgres</c> through SenderAuthJson.Token (the one mapping).
/// </summary>
public enum DatabaseKind
{
    /// <summary>SQLite in the data folder: the default, no setup.</summary>
    Sqlite,

    /// <summary>PostgreSQL at <see cref="StoreOptions.ConnectionString"/>: several instances can share it.</summary>
    Postgres,
}
