using SenderAuth.Store.Data;

namespace SenderAuth.Cli.Commands;

// What status and audit read from the server's API: only the fields they use, read through the contract
// (CliJson.ReadAnswer skips the fields it does not name, so a server that adds fields does not break the CLI).

/// <summary>One page of a list the API answers (<c>{items, page, pageSize, total}</c>).</summary>
internal sealed record ServerPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>An institution of <c>GET /api/v1/institutions</c>: its code.</summary>
internal sealed record InstitutionAnswer(string Code);

/// <summary>A domain of <c>GET …/domains</c>: its name, state and whether signing is on.</summary>
internal sealed record DomainAnswer(string Name, DomainState State, bool SigningEnabled);

/// <summary><c>GET …/history</c>: why the domain is in its state, whether the last check could not finish, whether signing is suspended.</summary>
internal sealed record HistoryAnswer(string? Reason, bool CouldNotCheck, bool SigningSuspended);

/// <summary><c>GET …/rotation</c>: the step, the selector that signs, and the next step in words.</summary>
internal sealed record RotationAnswer(RotationStep Step, string? SigningSelector, string Next);
