using SenderAuth.Dns;

namespace SenderAuth.Server.Http;

public sealed record CreateInstitutionRequest(string? Code, string? Name, UnsignedMailPolicy? UnsignedPolicy);

public sealed record UpdateInstitutionRequest(string? Name, UnsignedMailPolicy? UnsignedPolicy);

public sealed record CreateDomainRequest(string? Name, bool? CustomMailFrom);

public sealed record UpdateDomainRequest(bool? CustomMailFrom);

/// <summary>Verify a domain now; <see cref="OperatorOverride"/> (operator keys only) vouches for it without DNS proof, <see cref="Reason"/> is audited.</summary>
public sealed record VerifyDomainRequest(bool? OperatorOverride, string? Reason);

public sealed record SigningRequest(bool? Enabled);

/// <summary>POST …/ed25519: turn the domain's Ed25519 signature on or off.</summary>
public sealed record Ed25519Request(bool? Enabled);

public sealed record ImportKeyRequest(string? Pem);

/// <summary>A key to issue: its name and what it may do (required; see <see cref="ApiScope"/>).</summary>
public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<ApiScope>? Scopes);

public sealed record InstitutionDto(string Code, string Name, UnsignedMailPolicy UnsignedPolicy, DateTime CreatedAt, int Domains, long Version)
{
    public static InstitutionDto From(Institution i, int domains) => new(i.Code, i.Name, i.UnsignedPolicy, i.CreatedAt, domains, i.Version);
}

public sealed record DomainDto(string Name, string UnicodeName, string Institution, DomainState State, bool SigningEnabled, bool CustomMailFrom,
    DateTime CreatedAt, DateTime? LastCheckedAt, long Version)
{
    /// <summary>When ownership was proved (DKIM delegation found, or the TXT challenge); null while unverified.</summary>
    public DateTime? VerifiedAt { get; init; }

    /// <summary>The TXT record that proves ownership (an alternative to the DKIM CNAMEs); null once verified.</summary>
    public OwnershipChallenge? Challenge { get; init; }

    /// <summary>Why a record of this domain was left out of the provider zone at the last publish; null when all are served.</summary>
    public string? PublishProblem { get; init; }

    /// <summary>The domain signs with Ed25519 too (RFC 8463) once its Ed25519 selectors are delegated; see …/ed25519.</summary>
    public bool Ed25519Enabled { get; init; }

    public static DomainDto From(SenderDomain d, string code) =>
        new(d.Name, NameRules.Unicode(d.Name), code, d.State, d.SigningEnabled, d.CustomMailFrom, d.CreatedAt, d.LastCheckedAt, d.Version)
        {
            VerifiedAt = d.VerifiedAt,
            Challenge = d.VerifiedAt is null && d.ChallengeToken.Length > 0
                ? new OwnershipChallenge(DomainVerification.ChallengeName(d.Name), DnsRecordType.Txt, DomainVerification.ChallengeValue(d.ChallengeToken))
                : null,
            PublishProblem = d.PublishProblem,
            Ed25519Enabled = d.Ed25519Enabled,
        };
}

/// <summary>The ownership challenge: publish <see cref="Value"/> as a TXT record at <see cref="Name"/>, then check the domain.</summary>
public sealed record OwnershipChallenge(string Name, DnsRecordType Type, string Value);

/// <summary>A key as the API shows it: public parts only; the private key never leaves the service.</summary>
public sealed record KeyDto(string Selector, string Target, SenderAuth.Dkim.DkimKeyType Algorithm, int Bits, DkimKeyState State, bool Imported, string PublicKey,
    DateTime CreatedAt, DateTime? PublishedAt, DateTime? ActivatedAt, DateTime? RevokedAt)
{
    public static KeyDto From(DkimKey k) =>
        new(k.Selector, k.TargetName, k.Algorithm, k.Bits, k.State, k.Imported, k.PublicKey, k.CreatedAt, k.PublishedAt, k.ActivatedAt, k.RevokedAt);
}

public sealed record CheckDto(DateTime At, bool Passed, bool DkimDelegated, bool Incomplete, IReadOnlyList<Check.CheckFinding> Findings);

/// <summary>One page of a list, <c>{"items": […], "page", "pageSize", "total"}</c>: every list that grows with use (made by <see cref="Paging"/>).</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record ApiKeyCreated(long Id, string Name, string Key, string? Institution, IReadOnlyList<ApiScope> Scopes, string Note);

/// <summary>What registering a domain answers: the domain and the records its institution must publish.</summary>
public sealed record DomainCreated(DomainDto Domain, SenderAuth.Onboarding.PublishPlan Records);

/// <summary>An API key as lists show it: the visible prefix, never the key or its hash; null institution for an operator key.</summary>
public sealed record ApiKeyDto(long Id, string Name, string Prefix, IReadOnlyList<ApiScope> Scopes, string? Institution, DateTime CreatedAt, DateTime? RevokedAt);
