namespace SenderAuth.Store.Data;

/// <summary>Rows that carry an optimistic-concurrency version, bumped on every update.</summary>
public interface IVersioned
{
    long Version { get; set; }
}

/// <summary>What happens to a message whose From domain has no signing enabled (never a silent fallback).</summary>
public enum UnsignedMailPolicy
{
    /// <summary>Refuse with a reason (the default).</summary>
    Reject,
    /// <summary>Sign with the provider's own domain (d= the provider zone): DKIM passes, DMARC does not align.</summary>
    SignWithProviderDomain,
    /// <summary>Return the message unsigned and say so in a response header.</summary>
    PassUnsigned,
}

public sealed class Institution : IVersioned
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public UnsignedMailPolicy UnsignedPolicy { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Soft-deleted at (hidden everywhere by a query filter); restorable until the retention ends, then purged.</summary>
    public DateTime? DeletedAt { get; set; }
    public long Version { get; set; }
    public List<SenderDomain> Domains { get; } = [];
}

/// <summary>Where a domain's verification stands; the continuous check drives it.</summary>
public enum DomainState
{
    /// <summary>Just created: checked often until verified, failed after the pending window.</summary>
    Pending,
    /// <summary>The last complete check passed.</summary>
    Verified,
    /// <summary>Was verified, now a check fails: the grace period runs, then signing is suspended.</summary>
    Degraded,
    /// <summary>Never verified within the pending window, or degraded past the grace period.</summary>
    Failed,
}

public sealed class SenderDomain : IVersioned
{
    public long Id { get; set; }
    public long InstitutionId { get; set; }
    public Institution? Institution { get; set; }
    /// <summary>The A-label form, lower case, no trailing dot.</summary>
    public required string Name { get; set; }
    public DomainState State { get; set; }
    public bool SigningEnabled { get; set; }
    public bool CustomMailFrom { get; set; }
    /// <summary>
    /// Signs with an Ed25519 key (RFC 8463) beside the RSA one, on its own selectors (ProviderOptions.Ed25519Selectors);
    /// off by default. The second signature starts once a check finds those selectors delegated.
    /// </summary>
    public bool Ed25519Enabled { get; set; }
    /// <summary>
    /// When a check of THIS domain last found its Ed25519 CNAMEs delegated (null: pending). Per domain, because the
    /// key pair is per institution: an active pair says nothing about whether this domain's selectors point at it.
    /// Only a domain with it set signs with Ed25519; turning Ed25519 off or a check finding a CNAME lost clears it.
    /// </summary>
    public DateTime? Ed25519DelegatedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Soft-deleted at (hidden everywhere by a query filter); restorable until the retention ends, then purged.</summary>
    public DateTime? DeletedAt { get; set; }
    public DateTime? SigningChangedAt { get; set; }
    public DateTime? LastCheckedAt { get; set; }
    /// <summary>The records the institution must publish, as last computed (JSON of the engine's PublishPlan.Records).</summary>
    public string? ExpectedRecordsJson { get; set; }
    /// <summary>When the scheduler checks this domain next.</summary>
    public DateTime? NextCheckAt { get; set; }
    /// <summary>Since when the domain is Degraded (the grace period runs from here).</summary>
    public DateTime? DegradedSince { get; set; }
    /// <summary>Signing stopped by the monitor after the grace period; the institution's policy applies meanwhile.</summary>
    public bool SigningSuspended { get; set; }
    /// <summary>Checks in a row that could not finish (timeouts, SERVFAIL): shown as "could not check", never a failure on their own.</summary>
    public int IncompleteChecks { get; set; }
    /// <summary>Why the domain is in its state, in one sentence.</summary>
    public string? StateReason { get; set; }
    /// <summary>When the last "still degraded" notification went out (they repeat during the grace period).</summary>
    public DateTime? LastReminderAt { get; set; }
    /// <summary>The instance working on this domain now, and until when (a lease: it expires if that instance dies).</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
    /// <summary>
    /// When the institution proved it controls the domain (its DKIM CNAMEs found by a check, or the TXT challenge);
    /// null until then: no report-authorisation record is published and reports about it are not attributed.
    /// </summary>
    public DateTime? VerifiedAt { get; set; }
    /// <summary>The per-domain token the TXT challenge at _senderauth-challenge.&lt;domain&gt; must hold.</summary>
    public string ChallengeToken { get; set; } = "";
    /// <summary>
    /// Why a record of this domain was left out of the provider zone at the last publish (the rest was published),
    /// or null when all of its records are served.
    /// </summary>
    public string? PublishProblem { get; set; }
    public long Version { get; set; }
}

/// <summary>
/// A refused registration of a domain another institution holds: kept for the operator, who can transfer the
/// domain to the claimant once the claimant's TXT challenge proves control, or dismiss the claim.
/// </summary>
public sealed class DomainClaim
{
    public long Id { get; set; }
    /// <summary>The domain claimed (A-label, lower case).</summary>
    public required string DomainName { get; set; }
    public long ClaimantInstitutionId { get; set; }
    /// <summary>The token the claimant must publish at _senderauth-challenge.&lt;domain&gt; for a transfer.</summary>
    public required string ChallengeToken { get; set; }
    public DateTime At { get; set; }
    /// <summary>Attempts by the same institution after the first (counted, not one row each).</summary>
    public int Attempts { get; set; } = 1;
    public DateTime? ResolvedAt { get; set; }
    /// <summary>
    /// How the claim was closed, once resolved (null while open); stored as its JSON token (<c>transferred</c>,
    /// <c>dismissed</c>: <see cref="ClaimResolutionColumn"/>).
    /// </summary>
    public ClaimResolution? Resolution { get; set; }
}

/// <summary>How an operator closed a domain claim; in JSON and in the database as <c>transferred</c> or <c>dismissed</c>.</summary>
public enum ClaimResolution
{
    /// <summary>The claimant proved control and the domain moved to it.</summary>
    Transferred,
    /// <summary>The claim was closed and the holder keeps the domain.</summary>
    Dismissed,
    /// <summary>
    /// Read only: the row holds a word this release does not know (written by hand, or by another release). The
    /// claim is still resolved; nothing here writes this value.
    /// </summary>
    Unknown,
}

/// <summary>One change of a domain's state, with the findings that caused it: the domain's history.</summary>
public sealed class DomainTransition
{
    public long Id { get; set; }
    public long DomainId { get; set; }
    public DateTime At { get; set; }
    public DomainState From { get; set; }
    public DomainState To { get; set; }
    public required string Reason { get; set; }
    public string? FindingsJson { get; set; }
}

/// <summary>Where a key rotation stands (RFC 6376 §3.6.1 revocation at the end).</summary>
public enum RotationStep
{
    /// <summary>Nothing in progress; the next scheduled rotation is at NextRotationAt.</summary>
    Idle,
    /// <summary>The next key exists for the idle selector; publish it.</summary>
    Generated,
    /// <summary>Published in the provider zone; wait until DNS serves it through every domain's CNAME, then its TTL.</summary>
    Publishing,
    /// <summary>Signing switched to the new key; the old one stays published until the retention ends.</summary>
    Retaining,
    /// <summary>Stopped: a canary failed or a step cannot proceed; BlockedReason says why.</summary>
    Blocked,
}

/// <summary>
/// The rotation state of one pair of key targets (an institution's two selectors; with a {domain} target template,
/// one domain's). Durable: every step is a row update, so a restart continues where it stopped.
/// </summary>
public sealed class KeyRotation : IVersioned
{
    public long Id { get; set; }
    public long InstitutionId { get; set; }
    /// <summary>The first selector's target: names the pair.</summary>
    public required string GroupTarget { get; set; }
    public RotationStep Step { get; set; }
    public bool Emergency { get; set; }
    /// <summary>Requested by an operator (manual or emergency), to start at the next tick.</summary>
    public bool Requested { get; set; }
    public long? NewKeyId { get; set; }
    public long? OldKeyId { get; set; }
    /// <summary>When the current step may proceed (TTL wait, retention end).</summary>
    public DateTime? StepDueAt { get; set; }
    /// <summary>When DNS was first seen serving the new key through every CNAME.</summary>
    public DateTime? ServedAt { get; set; }
    public DateTime? NextRotationAt { get; set; }
    public DateTime? LastRotatedAt { get; set; }
    public string? BlockedReason { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public long Version { get; set; }
}

/// <summary>A webhook receiving state changes and rotation steps (all institutions when InstitutionId is null).</summary>
public sealed class Webhook
{
    public long Id { get; set; }
    public long? InstitutionId { get; set; }
    public required string Url { get; set; }
    /// <summary>The HMAC-SHA256 secret, sealed like private keys.</summary>
    public required byte[] SealedSecret { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Enabled { get; set; } = true;
}

/// <summary>One event to one webhook: retried with backoff until delivered or given up; the delivery log.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long WebhookId { get; set; }
    /// <summary>The token of the event (<see cref="Webhooks.ServerEventType"/>) as it was sent: <c>domain.verified</c>, <c>rotation.retaining</c>, ….</summary>
    public required string Event { get; set; }
    public required string PayloadJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public bool GaveUp { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
}

public enum DkimKeyState
{
    /// <summary>Generated or imported, not yet confirmed served by DNS.</summary>
    Created,
    /// <summary>Served in the provider zone, not signing.</summary>
    Published,
    /// <summary>Signing for its selector.</summary>
    Active,
    /// <summary>Still published for mail in flight, no longer signing.</summary>
    Retiring,
    /// <summary>Published with an empty p= (RFC 6376 §3.6.1), never used again.</summary>
    Revoked,
}

/// <summary>
/// A DKIM key, owned by an institution and published at one target name in the provider zone
/// (sel1-mosa._domainkey.dkim.provider). Every sender domain whose selector CNAME points at that target signs
/// with it; with a {domain} placeholder in the target template each domain gets its own key.
/// </summary>
public sealed class DkimKey : IVersioned
{
    public long Id { get; set; }
    /// <summary>Null for the provider's own key (d= the provider zone).</summary>
    public long? InstitutionId { get; set; }
    /// <summary>The selector name in the institution's zone (s= of the signatures), e.g. stxsel1.</summary>
    public required string Selector { get; set; }
    /// <summary>The owner name of the key's TXT record in the provider zone.</summary>
    public required string TargetName { get; set; }
    /// <summary>The k= tag; stored as its token ("rsa", "ed25519": <see cref="SenderAuth.Dkim.DkimTokens.Token(SenderAuth.Dkim.DkimKeyType)"/>).</summary>
    public required SenderAuth.Dkim.DkimKeyType Algorithm { get; set; }
    public int Bits { get; set; }
    /// <summary>The p= value (base64), public.</summary>
    public required string PublicKey { get; set; }
    /// <summary>The PKCS#8 private key sealed by the server's KeyProtector; never leaves the service.</summary>
    public required byte[] SealedPrivateKey { get; set; }
    public DkimKeyState State { get; set; }
    public bool Imported { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime? ActivatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>The stored outcome of one domain check.</summary>
public sealed class CheckRun
{
    public long Id { get; set; }
    public long DomainId { get; set; }
    public DateTime At { get; set; }
    /// <summary>No error that was not temporary.</summary>
    public bool Passed { get; set; }
    /// <summary>The DKIM delegation (every selector) is correct: the condition for signing.</summary>
    public bool DkimDelegated { get; set; }
    /// <summary>Some answer was a timeout or SERVFAIL: "could not check", not "missing".</summary>
    public bool Incomplete { get; set; }
    /// <summary>The findings as JSON (the engine's CheckFinding list).</summary>
    public required string FindingsJson { get; set; }
}

/// <summary>One change, append-only: who, what, when.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The API key's name (operator:NAME or institution:CODE:NAME), "system", or "anonymous" for a refused key.</summary>
    public required string Actor { get; set; }
    /// <summary>The API key that acted (names are not unique); null for the system and for keys that were refused.</summary>
    public long? KeyId { get; set; }
    /// <summary>The client address of the request (after trusted forwarded headers); null for background work.</summary>
    public string? Client { get; set; }
    public long? InstitutionId { get; set; }
    /// <summary>A dotted verb such as domain.create or key.import.</summary>
    public required string Action { get; set; }
    /// <summary>What it acted on: an institution code, a domain, a key target.</summary>
    public required string Subject { get; set; }
    public string? Detail { get; set; }
}

/// <summary>An API key: only its SHA-256 is stored; operator keys have no institution.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the key, shown in lists so a key can be recognised without being stored.</summary>
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public long? InstitutionId { get; set; }
    /// <summary>What the key may do: API scope words, space-separated (keys from before scopes are "admin").</summary>
    public required string Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>Small server-wide values (the provider zone serial, the master key check value).</summary>
public sealed class ServerSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
