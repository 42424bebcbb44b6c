namespace SenderAuth.Server.Access;

/// <summary>The audit entry of an API caller: the store's <see cref="AuditLog"/> knows no callers (it has no ASP.NET).</summary>
public static class CallerAudit
{
    /// <summary>An entry for what a caller did: its key id and client address go with it (the name alone is not unique).</summary>
    public static void Record(this SenderAuthDb db, TimeProvider time, Caller caller, long? institutionId, string action, string subject, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        db.Record(time, caller.Actor, caller.KeyId, caller.Client, institutionId, action, subject, detail);
    }
}
