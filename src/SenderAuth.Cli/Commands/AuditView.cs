namespace SenderAuth.Cli.Commands;

/// <summary>
/// One entry of <c>senderauth audit --json</c> (field names are a public contract, the API's entry): when (UTC), who
/// (actor, key id, client address), which institution (null for platform-wide actions), the action and its subject.
/// </summary>
internal sealed record AuditEntryView(
    long Id, DateTime At, string Actor, long? KeyId, string? Client, string? Institution, string Action, string Subject, string? Detail);
