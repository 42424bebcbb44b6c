namespace SenderAuth.Server;

/// <summary>Builds and runs the server; the CLI's <c>serve</c> command and the tests start it from here.</summary>
public static class ServerApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        await using var app = builder.Build();
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
