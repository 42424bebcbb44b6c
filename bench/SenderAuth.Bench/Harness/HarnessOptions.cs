namespace SenderAuth.Bench.Harness;

/// <summary>
/// The options of <c>bench/run</c> (the wrapper passes them through unchanged). Defaults are the recorded runs'
/// (docs/benchmarks.md), so a figure there is reproduced by <c>bench/run</c> with no options.
/// </summary>
public sealed record HarnessOptions
{
    /// <summary>Timed window per case of our loops and the peers', in seconds (default 5).</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>row_server's wrk window, in seconds (default 60).</summary>
    public int ServerSeconds { get; init; } = 60;

    /// <summary>DKIM contenders: best of N windows each (default 3; this VM's CPU is shared).</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Our signer and openssl speed: N interleaved rounds of 2 s windows (default 12).</summary>
    public int SignRounds { get; init; } = 12;

    /// <summary>Also the BenchmarkDotNet suite (short job) after the table.</summary>
    public bool Bdn { get; init; }

    /// <summary>Only these rows (by <see cref="IRow.Name"/>); empty means every row.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    /// <summary>Print the Debian packages the selected rows need, one a line, and run nothing (for bench/run's ensure_apt).</summary>
    public bool ListPackages { get; init; }

    public const string Usage =
        "usage: bench/run [--seconds S] [--server-seconds S] [--rounds N] [--sign-rounds N] [--bdn] [--only ROW] [--only ROW]";

    /// <summary>Parses the command line; null (after printing why) when it is not understood.</summary>
    public static HarnessOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions();
        var only = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                options = args[i] switch
                {
                    "--seconds" => options with { Seconds = double.Parse(Value()) },
                    "--server-seconds" => options with { ServerSeconds = int.Parse(Value()) },
                    "--rounds" => options with { Rounds = int.Parse(Value()) },
                    "--sign-rounds" => options with { SignRounds = int.Parse(Value()) },
                    "--bdn" => options with { Bdn = true },
                    "--list-packages" => options with { ListPackages = true },
                    // --only takes one row or several in one word ("row_a row_b", as the bash script did), and repeats.
                    "--only" => AddOnly(options, only, Value()),
                    _ => throw new FormatException($"unknown option {args[i]}"),
                };
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"{e.Message}\n{Usage}");
                return null;
            }
        }
        return options with { Only = only };
    }

    private static HarnessOptions AddOnly(HarnessOptions options, HashSet<string> only, string value)
    {
        foreach (var name in value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            only.Add(name);
        }
        return options;
    }
}
