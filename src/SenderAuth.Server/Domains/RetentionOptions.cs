namespace SenderAuth.Server.Domains;

/// <summary>How long deleted domains and institutions are kept for a restore (<c>SenderAuth:Retention</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>Days a deleted domain or institution can be restored; then its reports and the rest are purged. Default 30, 1 to 3650.</summary>
    public int DeletedDays { get; set; } = 30;

    /// <summary>How often the purge looks for what is past its retention, in minutes; default 60, 1 to 1440.</summary>
    public int PurgeEveryMinutes { get; set; } = 60;

    public TimeSpan Deleted => TimeSpan.FromDays(DeletedDays);

    internal IEnumerable<string> Problems()
    {
        if (DeletedDays is < 1 or > 3650)
        {
            yield return $"SenderAuth:Retention:DeletedDays is {DeletedDays}: use 1 to 3650 (a deleted domain must stay restorable for at least a day)";
        }
        if (PurgeEveryMinutes is < 1 or > 1440)
        {
            yield return $"SenderAuth:Retention:PurgeEveryMinutes is {PurgeEveryMinutes}: use 1 to 1440";
        }
    }
}

/// <summary>The retention settings, checked at start.</summary>
public sealed class RetentionOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Retention.Problems();
}
