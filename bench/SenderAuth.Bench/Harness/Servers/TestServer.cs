namespace SenderAuth.Bench.Harness.Servers;

/// <summary>
/// A server of the test suite (tests/servers/NAME/start.sh and stop.sh: Knot, PostgreSQL, Postfix, unbound),
/// started in a folder of the run: the same servers the tests prove against, one launcher each. start.sh prints
/// KEY=VALUE lines (SENDERAUTH_TEST_DNS=…); stop.sh stops only the one started in that folder.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string stop;

    private TestServer(string stop, string folder)
    {
        this.stop = stop;
        Folder = folder;
    }

    public string Folder { get; }

    /// <summary>What start.sh printed, by key.</summary>
    public IReadOnlyDictionary<string, string> Values { get; private set; } = new Dictionary<string, string>();

    public string this[string key] => Values.TryGetValue(key, out var v) ? v
        : throw new RowFailedException($"{System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(stop))} did not start (no {key})");

    /// <summary>Starts tests/servers/<paramref name="name"/> in <paramref name="folder"/>; registers its stop with the context.</summary>
    public static async Task<TestServer> StartAsync(RowContext context, string name, string folder, IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var scripts = context.Path($"tests/servers/{name}");
        Directory.CreateDirectory(folder);
        // Registered before the start: a script that fails half-way has started something to stop.
        var server = new TestServer(System.IO.Path.Combine(scripts, "stop.sh"), folder);
        context.Defer(server);
        var output = await Tool.RunAsync(System.IO.Path.Combine(scripts, "start.sh"), [folder, .. extraArgs ?? []], ct, environment).ConfigureAwait(false);
        server.Values = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return server;
    }

    public async ValueTask DisposeAsync() =>
        await Tool.RunAsync(stop, [Folder], CancellationToken.None, captureStderr: true, check: false).ConfigureAwait(false);
}
