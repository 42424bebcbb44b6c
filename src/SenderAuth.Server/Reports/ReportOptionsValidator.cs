using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>Report ingestion's settings (IMAP mailboxes, watched folder, advisor), checked at start.</summary>
public sealed class ReportOptionsValidator : IValidateOptions<ReportOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
