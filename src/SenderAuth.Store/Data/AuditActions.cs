namespace SenderAuth.Store.Data;

/// <summary>
/// The <see cref="AuditEntry.Action"/> words: one definition for every writer and every reader (the report timeline,
/// the upload quota), so a renamed action cannot silently break a match. The words themselves never change: stored
/// entries, the audit <c>kind=</c> filter and docs/server.md's audit section use them.
/// </summary>
public static class AuditActions
{
    public const string ApiKeyCreate = "apikey.create";

    public const string ApiKeyRevoke = "apikey.revoke";

    public const string AuthRefused = "auth.refused";

    public const string AuthScopeRefused = "auth.scope-refused";

    public const string DomainClaim = "domain.claim";

    public const string DomainClaimDismiss = "domain.claim-dismiss";

    public const string DomainCreate = "domain.create";

    public const string DomainDelete = "domain.delete";

    public const string DomainPublishProblem = "domain.publish-problem";

    public const string DomainPurge = "domain.purge";

    public const string DomainRestore = "domain.restore";

    public const string DomainState = "domain.state";

    public const string DomainTransfer = "domain.transfer";

    public const string DomainUpdate = "domain.update";

    public const string DomainVerify = "domain.verify";

    public const string InstitutionCreate = "institution.create";

    public const string InstitutionDelete = "institution.delete";

    public const string InstitutionPurge = "institution.purge";

    public const string InstitutionRestore = "institution.restore";

    public const string InstitutionUpdate = "institution.update";

    public const string KeyActivate = "key.activate";

    public const string KeyGenerate = "key.generate";

    public const string KeyImport = "key.import";

    public const string KeyPublished = "key.published";

    public const string KeyRevoke = "key.revoke";

    public const string KeyUse = "key.use";

    public const string ReportUpload = "report.upload";

    public const string RotationBlocked = "rotation.blocked";

    public const string RotationEmergency = "rotation.emergency";

    public const string RotationRequest = "rotation.request";

    public const string RotationServed = "rotation.served";

    public const string SenderDeclare = "sender.declare";

    public const string SenderRemove = "sender.remove";

    public const string SessionSignIn = "session.sign-in";

    public const string SessionSignInFailed = "session.sign-in-failed";

    public const string SessionSignInRefused = "session.sign-in-refused";

    public const string SessionSignOut = "session.sign-out";

    public const string SigningDisable = "signing.disable";

    public const string SigningEnable = "signing.enable";

    public const string SigningRestore = "signing.restore";

    public const string SigningSuspend = "signing.suspend";

    public const string WebhookCreate = "webhook.create";

    public const string WebhookDelete = "webhook.delete";

    public const string WebhookTest = "webhook.test";

    public const string ZonePublish = "zone.publish";
}
