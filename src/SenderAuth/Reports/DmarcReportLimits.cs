namespace SenderAuth.Reports;

/// <summary>
/// Resource limits for reading aggregate reports. Every input is hostile until parsed: these bound the bytes
/// decompressed, the compression ratio, the archive shape and the size of every field. Checked once, at
/// construction of <see cref="DmarcReportParser"/>.
/// </summary>
/// <remarks>
/// Security: a gzip or zip bomb is stopped while decompressing, from the bytes actually produced, not from sizes
/// the archive declares (those are checked too, earlier). DTDs are refused outright, so entity expansion
/// ("billion laughs") and external entities never happen; no limit is needed for them.
/// </remarks>
public sealed record DmarcReportLimits
{
    /// <summary>XML bytes read per input (file or stream), after decompression, all entries together; plain XML
    /// counts too. Default 4 GiB: far above any real report, and it bounds the time one input can take.</summary>
    public long MaxDecompressedBytes { get; init; } = 4L << 30;

    /// <summary>Largest ratio of decompressed to compressed bytes, per gzip stream or zip entry; default 100
    /// (real reports compress 20 to 60:1; deflate bombs reach 1000:1).</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    /// <summary>Bytes decompressed before <see cref="MaxCompressionRatio"/> applies (tiny reports compress well);
    /// default 1 MiB.</summary>
    public long RatioGraceBytes { get; init; } = 1L << 20;

    /// <summary>Entries in one zip archive (directories included); default 20.</summary>
    public int MaxZipEntries { get; init; } = 20;

    /// <summary>Archive layers around one XML document (gzip or zip; xml.gz is 1, zip in zip is 2); default 2.</summary>
    public int MaxNestingDepth { get; init; } = 2;

    /// <summary>Size of an email (.eml) carrying reports; default 50 MiB.</summary>
    public long MaxEmlBytes { get; init; } = 50L << 20;

    /// <summary>Report attachments in one email; default 10.</summary>
    public int MaxAttachments { get; init; } = 10;

    /// <summary>Characters in one text field (a domain, an IP, a comment); default 4096.</summary>
    public int MaxFieldChars { get; init; } = 4096;

    /// <summary>Warnings kept per report (unknown tokens and the like); the rest are counted only. Default 100.</summary>
    public int MaxWarnings { get; init; } = 100;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is out of range.</summary>
    public void Validate()
    {
        if (MaxDecompressedBytes < 1024 || MaxCompressionRatio < 2 || RatioGraceBytes < 0 || MaxZipEntries is < 1 or > 65535
            || MaxNestingDepth is < 0 or > 8 || MaxEmlBytes < 1024 || MaxAttachments is < 1 or > 1000
            || MaxFieldChars is < 64 or > 1 << 20 || MaxWarnings < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DmarcReportLimits), "DMARC report limits out of range");
        }
    }
}
