using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Signing;

// The signing service's settings, for the API's and the milter's signing. (A comment, not an XML summary:
// config-reference prints a section's summary, and docs/configuration.md stays as it was.)
public sealed class SigningOptions
{
    /// <summary>How long a cached signing configuration may be stale (other instances' changes); 0 turns the cache off.</summary>
    // The range the code honours, as [Range] like every numeric bound (OptionRangeValidator enforces it at start and
    // config-reference prints it from the same attribute). 0 works: an entry that expires at once is never reused.
    // A negative value would silently mean the same, NaN or a value past year 9999 makes DateTimeOffset.AddSeconds
    // throw on every message, so those are refused. At most an hour: the cache is also how long another instance
    // keeps signing after a domain's signing is turned off or suspended or its key revoked, so it must stay short
    // (Monitoring:EmergencyRetention, a minute by default, assumes it is shorter still).
    [Range(0d, 3600d, ErrorMessage = "0 turns the cache off; beyond an hour other instances would sign with a revoked key or a suspended domain's for that long")]
    public double CacheSeconds { get; set; } = 5;
}
