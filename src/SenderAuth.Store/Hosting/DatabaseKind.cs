namespace SenderAuth.Store.Hosting;

/// <summary>Where the server keeps its data (<c>SenderAuth:Database</c>, <c>--database</c>).</summary>
public enum DatabaseKind
{
    /// <summary>SQLite in the data folder: the default, no setup.</summary>
    Sqlite,

    /// <summary>PostgreSQL at <see cref="StoreOptions.ConnectionString"/>: several instances can share it.</summary>
    Postgres,
}

/// <summary>The word of each <see cref="DatabaseKind"/> as configuration, the CLI's output and a backup's manifest spell it.</summary>
public static class DatabaseKindTokens
{
    public static string Token(DatabaseKind kind) => kind switch
    {
        DatabaseKind.Sqlite => "sqlite",
        DatabaseKind.Postgres => "postgres",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a database kind"),
    };
}
