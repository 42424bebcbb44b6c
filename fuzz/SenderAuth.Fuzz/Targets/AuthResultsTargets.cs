using SenderAuth.AuthenticationResults;

namespace SenderAuth.Fuzz;

/// <summary>Authentication-Results fields as the milter's verify mode reads them (RFC 8601 §5: forged ones are removed).</summary>
internal static class AuthResultsTargets
{
    /// <summary>
    /// <see cref="AuthenticationResultsReader"/> on a field value: any text gives an id or none, and a claim
    /// check; no exception.
    /// </summary>
    public static FuzzTarget AuthServId { get; } = new("auth-results", input =>
    {
        var text = FuzzTargets.Text(input);
        _ = AuthenticationResultsReader.AuthServId(text);
        _ = AuthenticationResultsReader.Claims(text, "mx.example.net");
    }, [], FuzzBudget.Text);
}
