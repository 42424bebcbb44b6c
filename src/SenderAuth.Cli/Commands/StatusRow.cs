using System.Text.Json.Nodes;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// One row of <c>senderauth status --json</c> (field names are a public contract). The server's own words (state,
/// reason, rotation step, next step) are passed through as the API wrote them: the CLI does not reference the server,
/// and a newer server's new state must not break an older CLI. Signing is the CLI's own summary of two API fields.
/// </summary>
internal sealed record StatusRow(
    string Institution, string Domain, JsonNode? State, JsonNode? Reason, JsonNode? CouldNotCheck, SigningStatus Signing,
    JsonNode? RotationStep, JsonNode? SigningSelector, JsonNode? Next);

/// <summary>Whether the server signs a domain's mail: <c>on</c>, <c>off</c>, or <c>suspended</c> (enabled, but suspended by the server).</summary>
internal enum SigningStatus
{
    On,
    Off,
    Suspended,
}
