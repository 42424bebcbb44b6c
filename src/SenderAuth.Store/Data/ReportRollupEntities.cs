using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Data;

/// <summary>
/// What one reporter said about one source IP of a domain on one day, summed over every record of its reports
/// (Reports/ReportRollup, written in the import's transaction): the sources, attribution, reconciliation, findings
/// and advice read these rows, never the raw records. <see cref="Trusted"/> is part of the key so the analysis can
/// leave untrusted reports out, or add them, as it does with the records.
/// </summary>
public sealed class ReportSourceDay
{
    public long DomainId { get; set; }
    public DateTime Day { get; set; }
    public required string SourceIp { get; set; }
    public required string ReporterOrg { get; set; }
    public bool Trusted { get; set; }
    /// <summary>Raw records behind the row: a row whose records were all taken back out (a replaced copy) is deleted at 0.</summary>
    public long Records { get; set; }
    public long Messages { get; set; }
    public long DmarcPass { get; set; }
    public long DkimAligned { get; set; }
    public long SpfAligned { get; set; }
    public long DkimPass { get; set; }
    public long SpfPass { get; set; }
    public long Forwarded { get; set; }
    public long Quarantine { get; set; }
    public long Reject { get; set; }
}

/// <summary>
/// The DKIM d=/s= and SPF domain that records of one source IP of a domain carried on one day, with how many
/// records passed each (the sources list a DKIM or SPF domain only when some record with it passed) and the
/// messages (retired selectors count them). No reporter in the key: no query asks who saw an identity. A missing
/// identity is stored as "" (key columns cannot be null and still conflict on upsert).
/// </summary>
public sealed class ReportIdentityDay
{
    public long DomainId { get; set; }
    public DateTime Day { get; set; }
    public required string SourceIp { get; set; }
    public bool Trusted { get; set; }
    public required string DkimDomain { get; set; }
    public required string DkimSelector { get; set; }
    public required string SpfDomain { get; set; }
    public long Records { get; set; }
    public long Messages { get; set; }
    /// <summary>Records whose DKIM result passed (a count of records, not messages: a 0-message record still names its domain).</summary>
    public long DkimPassRecords { get; set; }
    public long SpfPassRecords { get; set; }

    internal static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ReportSourceDay>(e =>
        {
            e.ToTable("ReportSourceDays");
            // Domain and day lead: every query reads one domain's window as a range of this key.
            e.HasKey(r => new { r.DomainId, r.Day, r.SourceIp, r.ReporterOrg, r.Trusted });
            e.Property(r => r.SourceIp).HasMaxLength(45);
            e.Property(r => r.ReporterOrg).HasMaxLength(300);
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ReportIdentityDay>(e =>
        {
            e.ToTable("ReportIdentityDays");
            e.HasKey(r => new { r.DomainId, r.Day, r.SourceIp, r.Trusted, r.DkimDomain, r.DkimSelector, r.SpfDomain });
            e.Property(r => r.SourceIp).HasMaxLength(45);
            e.Property(r => r.DkimDomain).HasMaxLength(253);
            e.Property(r => r.DkimSelector).HasMaxLength(63);
            e.Property(r => r.SpfDomain).HasMaxLength(253);
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
