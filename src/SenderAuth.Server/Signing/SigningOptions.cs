namespace SenderAuth.Server.Signing;

// The signing service's settings, for the API's and the milter's signing. (A comment, not an XML summary:
// config-reference prints a section's summary, and docs/configuration.md stays as it was.)
public sealed class SigningOptions
{
    /// <summary>How long a cached signing configuration may be stale (other instances' changes).</summary>
    public double CacheSeconds { get; set; } = 5;
}
