
namespace SenderAuth.Store.Data;

/// <summary>Adds audit entries to the same unit of work as the change they describe: both commit or neither.</summary>
public static class AuditLog
{
    public static void Record(this SenderAuthDb db, TimeProvider time, string actor, long? institutionId, string action, string subject, string? detail = null) =>
        db.Record(time, actor, null, null, institutionId, action, subject, detail);

    public static void Record(this SenderAuthDb db, TimeProvider time, string actor, long? keyId, string? client, long? institutionId, string action, string subject, string? detail)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        db.Audit.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            Actor = Clip(actor, 200),
            KeyId = keyId,
            Client = client is null ? null : Clip(client, 64),
            InstitutionId = institutionId,
            Action = action,
            Subject = Clip(subject, 300),
            Detail = detail is null ? null : Clip(detail, 2000),
        });
    }

    // Subjects and details can carry caller input (a file name, a URL): cut to the column, never a failed save.
    private static string Clip(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
