
namespace SenderAuth.Server.Data;

/// <summary>Adds audit entries to the same unit of work as the change they describe: both commit or neither.</summary>
public static class AuditLog
{
    public static void Record(this SenderAuthDb db, TimeProvider time, string actor, long? institutionId, string action, string subject, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        db.Audit.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            Actor = actor,
            InstitutionId = institutionId,
            Action = action,
            Subject = subject,
            Detail = detail,
        });
    }

    public static void Record(this SenderAuthDb db, TimeProvider time, Caller caller, long? institutionId, string action, string subject, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        db.Record(time, caller.Actor, institutionId, action, subject, detail);
    }
}
