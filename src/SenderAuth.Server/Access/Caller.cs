using System.Security.Claims;

namespace SenderAuth.Server.Access;

/// <summary>Who is calling: an operator key sees everything, an institution key only its own institution.</summary>
public sealed record Caller(long KeyId, string Actor, long? InstitutionId)
{
    public bool IsOperator => InstitutionId is null;

    /// <summary>Whether the caller may see the institution; others answer 404, never 403, so codes do not leak.</summary>
    public bool CanSee(long institutionId) => IsOperator || InstitutionId == institutionId;

    public const string KeyIdClaim = "senderauth:key";
    public const string InstitutionClaim = "senderauth:institution";

    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var id = long.Parse(user.FindFirstValue(KeyIdClaim) ?? throw new InvalidOperationException("not authenticated"), System.Globalization.CultureInfo.InvariantCulture);
        var institution = user.FindFirstValue(InstitutionClaim) is { } i ? long.Parse(i, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        return new Caller(id, user.Identity?.Name ?? "unknown", institution);
    }
}
