namespace SenderAuth.Bench.Harness;

/// <summary>A row's check failed (a peer disagreed, a message was lost, a server did not start): the run stops.</summary>
public sealed class RowFailedException(string message) : Exception(message);
