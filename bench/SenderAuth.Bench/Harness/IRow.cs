namespace SenderAuth.Bench.Harness;

/// <summary>
/// One row group of the bench table: it starts what it needs (servers, peers), measures ours and the peer (or
/// the physical limit) in the same run, and reports <see cref="TableLine"/>s through the context. A new capability
/// is a new class in Rows/ listed in <see cref="HarnessCommand.Rows"/>; nothing else changes.
/// </summary>
public interface IRow
{
    /// <summary>The name <c>bench/run --only</c> takes (row_spf, row_dkim…): kept from the bash harness and docs/benchmarks.md.</summary>
    string Name { get; }

    /// <summary>One line: what the row measures and against what.</summary>
    string Description { get; }

    /// <summary>The Debian packages the row runs (servers, peers, tools); bench/run installs them before the harness starts.</summary>
    IReadOnlyList<string> Packages { get; }

    /// <summary>Runs the row; throws <see cref="RowFailedException"/> when a check fails (the lines reported so far are kept).</summary>
    Task RunAsync(RowContext context, CancellationToken ct);
}
