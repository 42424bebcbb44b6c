using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Domains;

/// <summary>How long deleted domains and institutions are kept for a restore (<c>SenderAuth:Retention</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>Days a deleted domain or institution can be restored; then its reports and the rest are purged. Default 30, 1 to 3650.</summary>
    [Range(1, 3650, ErrorMessage = "a deleted domain must stay restorable for at least a day")]
    public int DeletedDays { get; set; } = 30;

    /// <summary>How often the purge looks for what is past its retention, in minutes; default 60, 1 to 1440.</summary>
    [Range(1, 1440)]
    public int PurgeEveryMinutes { get; set; } = 60;

    public TimeSpan Deleted => TimeSpan.FromDays(DeletedDays);

    /// <summary>Nothing beyond the ranges, which are [Range] attributes (OptionRangeValidator).</summary>
    internal IEnumerable<string> Problems() => [];
}

/// <summary>The retention settings, checked at start.</summary>
public sealed class RetentionOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Retention.Problems();
}
