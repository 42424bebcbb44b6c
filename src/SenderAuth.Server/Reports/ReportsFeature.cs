using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>DMARC reports: import, the signed-message counter, the background sources (IMAP, a watched folder) and the endpoints.</summary>
public static class ReportsFeature
{
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddSectionValidator<ReportOptions, ReportOptionsValidator>(o => o.Reports);
        // ReportMailCheck, ReportImporter and ReportAnalysis come with the store (AddStore), which the CLI shares.
        services.AddSingleton<SignedMessageCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<SignedMessageCounter>());
        services.AddSingleton<ImapReportPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<ImapReportPoller>());
        services.AddSingleton<DirectoryReportWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectoryReportWatcher>());
        return services;
    }

    public static RouteGroupBuilder MapReports(this RouteGroupBuilder api)
    {
        ReportUploadEndpoints.Map(api);
        ReportAnalysisEndpoints.Map(api);
        FailureReportEndpoints.Map(api);
        KnownSenderEndpoints.Map(api);
        return api;
    }
}
