using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SenderAuth.Store.Data;

// Used only by `dotnet ef migrations add`: the connection strings are placeholders, never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSenderAuthDb>
{
    public SqliteSenderAuthDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSenderAuthDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSenderAuthDb>
{
    public PostgresSenderAuthDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSenderAuthDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
