using System.Text.Json;
using SenderAuth.Json;
using SenderAuth.Reports;

namespace SenderAuth.Store.Reports;

/// <summary>
/// The warnings a report was imported with, stored on <see cref="Data.StoredReport.Warnings"/> as the JSON list the
/// API returns (<c>[{"code":…,"message":…,"position":…}]</c>), so the upload's answer, the report list and the
/// dashboard show the same thing.
/// </summary>
public static class ReportWarnings
{
    /// <summary>The column's value: null when there is nothing to say.</summary>
    public static string? ToJson(IReadOnlyList<DmarcReportWarning> warnings) =>
        warnings.Count == 0 ? null : JsonSerializer.Serialize(warnings, SenderAuthJson.Options);

    /// <summary>
    /// The column's value within <paramref name="maxChars"/>: whole warnings are dropped from the end (the last kept
    /// one says how many) until the JSON fits, so the stored list always reads back.
    /// </summary>
    public static string? ToJson(IReadOnlyList<DmarcReportWarning> warnings, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var json = ToJson(warnings);
        for (var keep = warnings.Count - 1; json is not null && json.Length > maxChars && keep >= 0; keep--)
        {
            json = ToJson([.. warnings.Take(keep), new DmarcReportWarning(SenderAuth.Reports.Failure.FailureReportWarningCodes.WarningsTruncated,
                $"{warnings.Count - keep} more warning(s) not kept (the stored list is at most {maxChars} characters)", "report")]);
        }
        return json is not null && json.Length > maxChars ? null : json;
    }

    /// <summary>The stored list; empty for null (a clean report, or one imported before warnings were kept).</summary>
    public static IReadOnlyList<DmarcReportWarning> FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<DmarcReportWarning>>(json, SenderAuthJson.Options) ?? [];
}
