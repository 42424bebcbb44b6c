namespace SenderAuth.Bench.Harness;

/// <summary>
/// One line of the table: ours and the peer's figure (evaluations, messages or MB per second unless the text says
/// otherwise), no peer when <paramref name="Peer"/> is null ("n/a"). <paramref name="Target"/>, when set: "3" means
/// ours/peer &gt;= 3x; "&gt;=100" ours &gt;= 100; "&lt;=50000" ours &lt;= 50000 (latencies, where lower is better).
/// </summary>
public sealed record TableLine(string What, double Ours, double? Peer, string? Target = null);
