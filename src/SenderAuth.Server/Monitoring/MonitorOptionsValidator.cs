namespace SenderAuth.Server.Monitoring;

/// <summary>The scheduler's and rotation's intervals, checked at start.</summary>
public sealed class MonitorOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Monitoring.Problems();
}
