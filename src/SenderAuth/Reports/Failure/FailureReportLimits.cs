namespace SenderAuth.Reports.Failure;

/// <summary>
/// Bounds on reading one failure report mail: its size, the MIME tree (parts and depth) and what is kept of it.
/// Checked once, at construction of <see cref="FailureReportParser"/>. The whole mail is read into memory (MimeKit
/// needs it), so <see cref="MaxMessageBytes"/> is the memory bound.
/// </summary>
public sealed record FailureReportLimits
{
    /// <summary>Bytes of the report mail; default 10 MiB (a report carries one message, usually its headers only).</summary>
    public long MaxMessageBytes { get; init; } = 10L << 20;

    /// <summary>MIME parts in the report's own tree (the reported message's parts are not walked); default 50.</summary>
    public int MaxParts { get; init; } = 50;

    /// <summary>MIME nesting depth MimeKit parses, the reported message included; default 8 (an ARF mail needs 3).</summary>
    public int MaxMimeDepth { get; init; } = 8;

    /// <summary>Bytes of the reported message's header fields kept; the rest is dropped with a warning. Default 32 KiB.</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>Characters in one field value (a domain, an address, Authentication-Results); default 4096, as for aggregate reports.</summary>
    public int MaxFieldChars { get; init; } = 4096;

    /// <summary>Values kept of a repeated field (Original-Rcpt-To, Reported-URI, Authentication-Results); default 20.</summary>
    public int MaxRepeats { get; init; } = 20;

    /// <summary>Warnings kept per report; default 50.</summary>
    public int MaxWarnings { get; init; } = 50;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is out of range.</summary>
    public void Validate()
    {
        if (MaxMessageBytes < 1024 || MaxParts is < 3 or > 10_000 || MaxMimeDepth is < 3 or > 64 || MaxHeaderBytes is < 1024 or > 1 << 24
            || MaxFieldChars is < 64 or > 1 << 20 || MaxRepeats is < 1 or > 1000 || MaxWarnings is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(FailureReportLimits), "failure report limits out of range");
        }
    }
}
