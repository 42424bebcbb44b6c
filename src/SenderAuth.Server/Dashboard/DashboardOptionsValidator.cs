namespace SenderAuth.Server.Dashboard;

/// <summary>The dashboard's session settings, checked at start.</summary>
public sealed class DashboardOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Dashboard.Problems();
}
