using System.Globalization;

namespace SenderAuth.Store.Reports.Analysis;

/// <summary>The bucket of a summary: its token (<c>day</c>, <c>week</c>, <c>month</c>) is the JSON contract's.</summary>
public enum ReportPeriod
{
    Day,
    /// <summary>ISO week, Monday first.</summary>
    Week,
    Month,
}

/// <summary>Days from reports, folded into day, ISO week or calendar month buckets (UTC).</summary>
public static class ReportPeriods
{
    public static DateTime BucketStart(DateTime day, ReportPeriod period) => period switch
    {
        ReportPeriod.Day => day.Date,
        ReportPeriod.Week => day.Date.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        ReportPeriod.Month => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "day, week or month"),
    };

    public static string Label(DateTime start, ReportPeriod period) => period switch
    {
        ReportPeriod.Week => $"{ISOWeek.GetYear(start)}-W{ISOWeek.GetWeekOfYear(start):00}",
        ReportPeriod.Month => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}
