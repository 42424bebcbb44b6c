using SenderAuth.Server.Milter;

namespace SenderAuth.Fuzz;

/// <summary>Authentication-Results fields as the milter's verify mode reads them (RFC 8601 §5: forged ones are removed).</summary>
internal static class AuthResultsTargets
{
    /// <summary><see cref="VerifyingTransaction.AuthServIdOf"/> on a field value: any text gives an id; no exception.</summary>
    public static FuzzTarget AuthServId { get; } = new("auth-results", input =>
    {
        _ = VerifyingTransaction.AuthServIdOf(FuzzTargets.Text(input));
    }, [], FuzzBudget.Text);
}
