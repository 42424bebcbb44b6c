using System.Globalization;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>Days from reports, folded into day, ISO week or calendar month buckets (UTC).</summary>
public static class ReportPeriods
{
    public static readonly IReadOnlyList<string> Names = ["day", "week", "month"];

    public static DateTime BucketStart(DateTime day, string period) => period switch
    {
        "day" => day.Date,
        "week" => day.Date.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        "month" => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "day, week or month"),
    };

    public static string Label(DateTime start, string period) => period switch
    {
        "week" => $"{ISOWeek.GetYear(start)}-W{ISOWeek.GetWeekOfYear(start):00}",
        "month" => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}
