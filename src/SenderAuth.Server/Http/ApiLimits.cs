using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Http;

// What one request and one API key may ask of the API: message size, rate, page size. (A comment, not an XML
// summary: config-reference prints a section's summary, and docs/configuration.md stays as it was.)
public sealed class ApiLimits
{
    /// <summary>Largest message accepted by messages/sign (bytes); default 25 MB.</summary>
    [Range(typeof(long), "1024", "1073741824")]
    public long MaxMessageBytes { get; set; } = 25 * 1024 * 1024;
    /// <summary>Requests per second per API key (token bucket).</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerSecond { get; set; } = 5000;
    /// <summary>Requests one API key may make at once before the per-second rate applies (the bucket's size).</summary>
    [Range(1, int.MaxValue)]
    public int Burst { get; set; } = 10000;
    /// <summary>Largest page a list endpoint returns (?pageSize=; without one a page holds 50, or this when smaller).</summary>
    [Range(1, int.MaxValue)]
    public int MaxPageSize { get; set; } = 200;
}
