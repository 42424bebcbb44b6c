
namespace SenderAuth.Server.Http;

public sealed record CreateInstitutionRequest(string? Code, string? Name, UnsignedMailPolicy? UnsignedPolicy);

public sealed record UpdateInstitutionRequest(string? Name, UnsignedMailPolicy? UnsignedPolicy);

public sealed record CreateDomainRequest(string? Name, bool? CustomMailFrom);

public sealed record UpdateDomainRequest(bool? CustomMailFrom);

public sealed record SigningRequest(bool? Enabled);

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
    public static DomainDto From(SenderDomain d, string code) =>
        new(d.Name, NameRules.Unicode(d.Name), code, d.State, d.SigningEnabled, d.CustomMailFrom, d.CreatedAt, d.LastCheckedAt, d.Version);
}

/// <summary>A key as the API shows it: public parts only; the private key never leaves the service.</summary>
public sealed record KeyDto(string Selector, string Target, string Algorithm, int Bits, DkimKeyState State, bool Imported, string PublicKey,
    DateTime CreatedAt, DateTime? PublishedAt, DateTime? ActivatedAt, DateTime? RevokedAt)
{
    public static KeyDto From(DkimKey k) =>
        new(k.Selector, k.TargetName, k.Algorithm, k.Bits, k.State, k.Imported, k.PublicKey, k.CreatedAt, k.PublishedAt, k.ActivatedAt, k.RevokedAt);
}

public sealed record CheckDto(DateTime At, bool Passed, bool DkimDelegated, bool Incomplete, IReadOnlyList<Check.CheckFinding> Findings);

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record ApiKeyCreated(long Id, string Name, string Key, string? Institution, IReadOnlyList<ApiScope> Scopes, string Note);

/// <summary>What registering a domain answers: the domain and the records its institution must publish.</summary>
public sealed record DomainCreated(DomainDto Domain, SenderAuth.Onboarding.PublishPlan Records);
