using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Domains;

/// <summary>How long deleted domains and institutions are kept for a restore (<c>SenderAuth:Retention</c>).</summary>
// No rule beyond the ranges, which OptionRangeValidator checks from the [Range] attributes: no validator of its own.
public sealed class RetentionOptions
{
    /// <summary>Days a deleted domain or institution can be restored; then its reports and the rest are purged. Default 30, 1 to 3650.</summary>
    [Range(1, 3650, ErrorMessage = "a deleted domain must stay restorable for at least a day")]
    public int DeletedDays { get; set; } = 30;

    /// <summary>How often the purge looks for what is past its retention, in minutes; default 60, 1 to 1440.</summary>
    [Range(1, 1440)]
    public int PurgeEveryMinutes { get; set; } = 60;

    public TimeSpan Deleted => TimeSpan.FromDays(DeletedDays);
}
