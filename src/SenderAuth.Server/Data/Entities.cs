namespace SenderAuth.Server.Data;

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
    public long Version { get; set; }
    public List<SenderDomain> Domains { get; } = [];
}

/// <summary>Where a domain's verification stands; the continuous check drives it.</summary>
public enum DomainState
{
    Pending,
    Verified,
    Degraded,
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
    public DateTime CreatedAt { get; set; }
    public DateTime? SigningChangedAt { get; set; }
    public DateTime? LastCheckedAt { get; set; }
    public long Version { get; set; }
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
    /// <summary>"rsa" or "ed25519" (the k= tag).</summary>
    public required string Algorithm { get; set; }
    public int Bits { get; set; }
    /// <summary>The p= value (base64), public.</summary>
    public required string PublicKey { get; set; }
    /// <summary>The PKCS#8 private key sealed by <see cref="Keys.KeyProtector"/>; never leaves the service.</summary>
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
    /// <summary>The API key's name (operator:NAME or institution:CODE:NAME) or "system".</summary>
    public required string Actor { get; set; }
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
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>Small server-wide values (the provider zone serial, the master key check value).</summary>
public sealed class ServerSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
