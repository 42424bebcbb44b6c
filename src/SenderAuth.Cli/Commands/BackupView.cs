using SenderAuth.Store.Data.Backup;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth backup --json</c> (field names are a public contract).</summary>
internal sealed record BackupView(BackupManifest Manifest, string? PendingCommand, IReadOnlyList<string> Skipped)
{
    public static BackupView From(BackupResult r) => new(r.Manifest, r.PendingCommand, r.Skipped);
}

/// <summary>The JSON of <c>senderauth backup restore --json</c> (field names are a public contract).</summary>
internal sealed record RestoreView(BackupManifest Manifest, IReadOnlyList<string> Restored, string? PendingCommand)
{
    public static RestoreView From(RestoreResult r) => new(r.Manifest, r.Restored, r.PendingCommand);
}
