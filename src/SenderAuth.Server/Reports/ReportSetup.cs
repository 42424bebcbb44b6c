namespace SenderAuth.Server.Reports;

/// <summary>The report services: import, the signed-message counter, and the background sources.</summary>
public static class ReportSetup
{
    public static void Add(IServiceCollection services)
    {
        services.AddScoped<ReportImporter>();
        services.AddScoped<Analysis.ReportAnalysis>();
        services.AddSingleton<SignedMessageCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<SignedMessageCounter>());
        services.AddSingleton<ImapReportPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<ImapReportPoller>());
        services.AddSingleton<DirectoryReportWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectoryReportWatcher>());
    }
}
