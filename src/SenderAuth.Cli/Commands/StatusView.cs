using SenderAuth.Store.Data;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// One row of <c>senderauth status --json</c> (field names are a public contract): the domain's state and the
/// reason for it, whether its last check could not finish, signing, and where its key rotation stands. Enums are the
/// store's, so the contract writes the same tokens as the API (<c>pending</c>, <c>retaining</c>).
/// </summary>
internal sealed record StatusView(
    string Institution, string Domain, DomainState State, string? Reason, bool CouldNotCheck, SigningStatus Signing,
    RotationStep RotationStep, string? SigningSelector, string Next);

/// <summary>Whether the server signs a domain's mail: <c>on</c>, <c>off</c>, or <c>suspended</c> (enabled, but suspended by the server).</summary>
internal enum SigningStatus
{
    On,
    Off,
    Suspended,
}
