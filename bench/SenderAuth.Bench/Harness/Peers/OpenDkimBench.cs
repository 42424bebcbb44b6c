namespace SenderAuth.Bench.Harness.Peers;

/// <summary>The libopendkim peer (bench/peers/opendkim_bench.c), compiled for this run against Debian's libopendkim.</summary>
public static class OpenDkimBench
{
    public static async Task<string> BuildAsync(RowContext context, CancellationToken ct)
    {
        var binary = Path.Combine(context.Work, "opendkim_bench");
        var flags = (await Tool.RunAsync("pkg-config", ["--cflags", "--libs", "opendkim"], ct).ConfigureAwait(false)).Stdout
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        await Tool.RunAsync("gcc", ["-O2", "-Wall", "-Werror", "-o", binary, context.Path("bench/peers/opendkim_bench.c"), .. flags], ct).ConfigureAwait(false);
        return binary;
    }
}
