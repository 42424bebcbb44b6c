using System.Diagnostics.CodeAnalysis;

namespace SenderAuth.Server.Http;

/// <summary>
/// A value or the <see cref="ServiceError"/> that stands in its place. Either converts implicitly, so a service
/// writes <c>return row;</c> or <c>return new ServiceError.NotFound(…);</c>.
/// </summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, ServiceError? error) => (_value, Error) = (value, error);

    /// <summary>Null when the operation succeeded.</summary>
    public ServiceError? Error { get; }

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ServiceError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>The usual test at a call site: <c>if (!result.TryGet(out var value, out var error)) return …;</c></summary>
    public bool TryGet([MaybeNullWhen(false)] out T value, [MaybeNullWhen(true)] out ServiceError error)
    {
        (value, error) = (_value, Error);
        return Error is null;
    }
}
