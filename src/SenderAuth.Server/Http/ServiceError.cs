using SenderAuth.Check;

namespace SenderAuth.Server.Http;

/// <summary>
/// Why a service answers without a result: the closed set of refusals the API and the dashboard both handle.
/// No HTTP here; <see cref="ErrorResponses"/> maps each kind to its status and problem body, once.
/// </summary>
/// <remarks>
/// The constructor is private, so the kinds below are the only ones and a switch over them is exhaustive.
/// Exceptions stay for misuse, cancellation and failures nobody can act on (a provider zone that fails to publish).
/// </remarks>
public abstract record ServiceError
{
    private ServiceError(string detail) => Detail = detail;

    /// <summary>The reason, for a person: it becomes the problem's <c>detail</c> and the dashboard's message.</summary>
    public string Detail { get; }

    /// <summary>What does not exist, or what the caller may not see (the same answer, so nothing leaks).</summary>
    public sealed record NotFound(string Detail) : ServiceError(Detail);

    /// <summary>A value the caller sent is wrong; <paramref name="Field"/> names it when one field is to blame, <paramref name="Code"/>
    /// gives the engine's kebab-case reason when there is one (a signer's refusal: <c>ambiguous-header</c>).</summary>
    public sealed record Invalid(string Detail, string? Field = null, string? Code = null) : ServiceError(Detail);

    /// <summary>The request is well formed but clashes with the current state (a duplicate, a step out of order).</summary>
    public sealed record Conflict(string Detail, string? Field = null) : ServiceError(Detail);

    /// <summary>Signing stays off: the DKIM delegation check failed, with the findings that block it.</summary>
    public sealed record SigningBlocked(string Detail, IReadOnlyList<CheckFinding> Findings) : ServiceError(Detail);

    /// <summary>A message the institution's policy leaves unsigned (signing was asked for and is refused with the reason).</summary>
    public sealed record NotSigned(string Detail) : ServiceError(Detail);

    /// <summary>No caller: the request carries no API key, or one that is unknown or revoked (the API key scheme's challenge).</summary>
    public sealed record Unauthenticated(string Detail) : ServiceError(Detail);

    /// <summary>The caller is known but may not do this (an institution key on an operator's operation).</summary>
    public sealed record Refused(string Detail) : ServiceError(Detail);

    /// <summary>The caller's copy is out of date (its If-Match names an older version): read again, then retry.</summary>
    public sealed record Stale(string Detail) : ServiceError(Detail);

    /// <summary>The operation needs If-Match with the version the caller read (a delete), and none was sent.</summary>
    public sealed record PreconditionRequired(string Detail) : ServiceError(Detail);

    /// <summary>The request body is over a configured limit.</summary>
    public sealed record TooLarge(string Detail) : ServiceError(Detail);

    /// <summary>The request body is not in a format the endpoint reads.</summary>
    public sealed record UnsupportedMediaType(string Detail) : ServiceError(Detail);

    /// <summary>
    /// An institution is at one of its quotas (domains, webhooks): <paramref name="Limit"/> names the setting and
    /// <paramref name="Value"/> its value, so the body says which limit and how high it is.
    /// </summary>
    public sealed record QuotaExceeded(string Detail, string Limit, long Value) : ServiceError(Detail);

    /// <summary>
    /// Too many requests in a time window (per API key, per client address, per sign-in account); the caller may retry
    /// after <paramref name="RetryAfterSeconds"/>. <paramref name="Limit"/> and <paramref name="Value"/> as above.
    /// </summary>
    public sealed record RateLimited(string Detail, string Limit, long Value, int RetryAfterSeconds) : ServiceError(Detail);
}
