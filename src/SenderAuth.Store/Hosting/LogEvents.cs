namespace SenderAuth.Store.Hosting;

/// <summary>
/// The event-id scheme of the server's own log messages (the server's and the store's, which share the feature
/// folders' names and so their blocks): one block of 100 per feature folder, the message's number
/// within its block added (<c>EventId = LogEvents.Milter + 3</c>), so an id names its feature at a glance and two
/// features never collide. Each id is used by one message only (a test checks); docs/metrics.md, "Logs", lists the
/// blocks. ASP.NET's and EF Core's own messages keep their ids.
/// </summary>
public static class LogEvents
{
    public const int Hosting = 1000;
    public const int Data = 1100;
    public const int Access = 1200;
    public const int Keys = 1300;
    public const int Institutions = 1400;
    public const int Domains = 1500;
    public const int Publishing = 1600;
    public const int Signing = 1700;
    public const int Monitoring = 1800;
    public const int Webhooks = 1900;
    public const int Reports = 2000;
    public const int Milter = 2100;
    public const int Dashboard = 2200;
    public const int Http = 2300;
    public const int Metrics = 2400;
}
