namespace SenderAuth.Store.Hosting;

/// <summary>
/// The part of the "SenderAuth" configuration section the store reads: where the data is, and what report import
/// and analysis need (the provider, the report settings). The server's <c>ServerOptions</c> extends it, so both
/// bind the same keys; the CLI binds this alone (<see cref="StoreSetup.AddStoreOptions"/>).
/// </summary>
public class StoreOptions
{
    public const string Section = "SenderAuth";

    /// <summary>The data folder: the SQLite database, the generated master key and the zone file live here.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Sqlite (default) or Postgres; read from configuration in any case (<c>sqlite</c>, <c>postgres</c>).</summary>
    public DatabaseKind Database { get; set; } = DatabaseKind.Sqlite;

    /// <summary>The PostgreSQL connection string when <see cref="Database"/> is postgres.</summary>
    public string? ConnectionString { get; set; }

    public ProviderOptions Provider { get; set; } = new();

    public ReportOptions Reports { get; set; } = new();

    /// <summary>
    /// What the store cannot work with: a PostgreSQL database without a connection string, report settings out of
    /// range. The server checks these and more at start; the CLI checks these before it opens the database.
    /// </summary>
    public IEnumerable<string> StoreProblems()
    {
        if (Database == DatabaseKind.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "SenderAuth:ConnectionString is required with Database=postgres (Npgsql form: Host=…;Database=…;Username=…;Password=…)";
        }
        foreach (var problem in Reports.Problems())
        {
            yield return problem;
        }
    }
}
