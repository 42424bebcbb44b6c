namespace SenderAuth.Store.Hosting;

/// <summary>Where the server keeps its data (<c>SenderAuth:Database</c>, <c>--database</c>).</summary>
public enum DatabaseKind
{
    /// <summary>SQLite in the data folder: the default, no setup.</summary>
    Sqlite,

    /// <summary>PostgreSQL at <see cref="StoreOptions.ConnectionString"/>: several instances can share it.</summary>
    Postgres,
}
