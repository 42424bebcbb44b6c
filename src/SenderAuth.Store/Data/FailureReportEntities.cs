using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Data;

/// <summary>
/// One DMARC failure report (RFC 9991): the identifiers of one reported message and its header fields, never its
/// body (the engine's FailureReportParser drops it). Stored for the sender domain it is about, like an aggregate
/// report; one about a domain that is not ours, not verified yet, or mailed to another institution's report
/// address has no <see cref="DomainId"/> and <see cref="InstitutionId"/>: kept apart, shown to operators only.
/// (<see cref="Fingerprint"/>, <see cref="Uploaded"/>) is the deduplication key.
/// </summary>
public sealed class StoredFailureReport
{
    public long Id { get; set; }
    public long? InstitutionId { get; set; }
    public long? DomainId { get; set; }
    /// <summary>Reported-Domain (else the reported From domain), lower case.</summary>
    public required string ReportedDomain { get; set; }
    /// <summary>The report mail's From address: who says so.</summary>
    public string? Reporter { get; set; }
    public string? SourceIp { get; set; }
    /// <summary>The reported message's From domain.</summary>
    public string? HeaderFrom { get; set; }
    /// <summary>Original-Mail-From.</summary>
    public string? MailFrom { get; set; }
    public string? DkimDomain { get; set; }
    public string? DkimSelector { get; set; }
    /// <summary>Auth-Failure token (dmarc, spf, signature, bodyhash, revoked, adsp).</summary>
    public string? AuthFailure { get; set; }
    public string? IdentityAlignment { get; set; }
    public string? DeliveryResult { get; set; }
    /// <summary>The Authentication-Results fields, one per line.</summary>
    public string? AuthenticationResults { get; set; }
    public DateTime? ArrivalDate { get; set; }
    public string? MessageId { get; set; }
    /// <summary>The reported message's header fields (bounded by the parser's MaxHeaderBytes, 32 KiB by default).</summary>
    public required string Headers { get; set; }
    /// <summary>The report carried the message body: it was dropped, not stored.</summary>
    public bool BodyRedacted { get; set; }
    /// <summary>ARF or plain text; stored as its token (<c>arf</c>, <c>plain-text</c>).</summary>
    public SenderAuth.Reports.Failure.FailureReportFormat Format { get; set; }
    /// <summary>The parser's warnings: the JSON list aggregate reports store (Reports/ReportWarnings), at most <see cref="MaxWarningsChars"/> characters; null when there were none.</summary>
    public string? Warnings { get; set; }

    /// <summary>The column's length: whole warnings are dropped from the end to fit, never cut inside the JSON.</summary>
    public const int MaxWarningsChars = 4000;
    public DateTime ReceivedAt { get; set; }
    /// <summary>imap:&lt;mailbox&gt;, upload:key &lt;id&gt; (&lt;actor&gt;), directory, cli.</summary>
    public required string Origin { get; set; }
    public bool Uploaded { get; set; }
    public bool Trusted { get; set; }
    public ReportProvenance Provenance { get; set; }
    public required string ProvenanceDetail { get; set; }
    /// <summary>Why it was kept apart when its domain is ours: sent to another institution's report address.</summary>
    public string? Warning { get; set; }
    /// <summary>SHA-256 (hex) of reporter, reported domain, source IP, arrival date, Message-ID, Auth-Failure and headers: the same report read twice is one row.</summary>
    public required string Fingerprint { get; set; }

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<StoredFailureReport>(e =>
    {
        e.ToTable("FailureReports");
        e.HasIndex(r => new { r.Fingerprint, r.Uploaded }).IsUnique();
        e.HasIndex(r => new { r.DomainId, r.ReceivedAt });
        e.Property(r => r.ReportedDomain).HasMaxLength(253);
        e.Property(r => r.Reporter).HasMaxLength(320);
        e.Property(r => r.SourceIp).HasMaxLength(45);
        e.Property(r => r.HeaderFrom).HasMaxLength(253);
        e.Property(r => r.MailFrom).HasMaxLength(320);
        e.Property(r => r.DkimDomain).HasMaxLength(253);
        e.Property(r => r.DkimSelector).HasMaxLength(253);
        e.Property(r => r.AuthFailure).HasMaxLength(64);
        e.Property(r => r.IdentityAlignment).HasMaxLength(64);
        e.Property(r => r.DeliveryResult).HasMaxLength(64);
        e.Property(r => r.AuthenticationResults).HasMaxLength(8000);
        e.Property(r => r.MessageId).HasMaxLength(998);
        e.Property(r => r.Headers).HasMaxLength(40_000);
        e.Property(r => r.Format).HasConversion(f => SenderAuth.Reports.Failure.FailureReportFormatTokens.Token(f),
            s => SenderAuth.Reports.Failure.FailureReportFormatTokens.Parse(s)).HasMaxLength(16);
        e.Property(r => r.Warnings).HasMaxLength(MaxWarningsChars);
        e.Property(r => r.Origin).HasMaxLength(300);
        e.Property(r => r.Provenance).HasConversion<string>().HasMaxLength(20);
        e.Property(r => r.ProvenanceDetail).HasMaxLength(500);
        e.Property(r => r.Warning).HasMaxLength(500);
        e.Property(r => r.Fingerprint).HasMaxLength(64);
        e.HasOne<SenderDomain>().WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
    });
}
