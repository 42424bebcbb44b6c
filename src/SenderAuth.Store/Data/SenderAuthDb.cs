using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Data;

/// <summary>
/// The server's database. One model, two providers: <see cref="SqliteSenderAuthDb"/> (embedded default) and
/// <see cref="PostgresSenderAuthDb"/> (several instances sharing one database), each with its own migrations
/// because the generated SQL differs.
/// </summary>
public abstract class SenderAuthDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Institution> Institutions => Set<Institution>();
    public DbSet<SenderDomain> Domains => Set<SenderDomain>();
    public DbSet<DomainClaim> DomainClaims => Set<DomainClaim>();
    public DbSet<DkimKey> Keys => Set<DkimKey>();
    public DbSet<CheckRun> CheckRuns => Set<CheckRun>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ServerSetting> Settings => Set<ServerSetting>();
    public DbSet<DomainTransition> Transitions => Set<DomainTransition>();
    public DbSet<KeyRotation> Rotations => Set<KeyRotation>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<StoredReport> Reports => Set<StoredReport>();
    public DbSet<StoredReportRecord> ReportRecords => Set<StoredReportRecord>();
    public DbSet<ReportDay> ReportDays => Set<ReportDay>();
    public DbSet<ReportSourceDay> ReportSourceDays => Set<ReportSourceDay>();
    public DbSet<ReportIdentityDay> ReportIdentityDays => Set<ReportIdentityDay>();
    public DbSet<ForeignReport> ForeignReports => Set<ForeignReport>();
    public DbSet<QuarantinedReport> QuarantinedReports => Set<QuarantinedReport>();
    public DbSet<KnownSender> KnownSenders => Set<KnownSender>();
    public DbSet<SignedCount> SignedCounts => Set<SignedCount>();
    public DbSet<StoredFailureReport> FailureReports => Set<StoredFailureReport>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<Institution>(e =>
        {
            e.HasIndex(i => i.Code).IsUnique();
            e.Property(i => i.Code).HasMaxLength(32);
            e.Property(i => i.Name).HasMaxLength(200);
            e.Property(i => i.UnsignedPolicy).HasConversion<string>().HasMaxLength(32);
            e.Property(i => i.Version).IsConcurrencyToken();
            // Soft delete: a deleted institution is invisible to every query (API, dashboard, signing, publishing,
            // monitoring) until it is restored; the retention purge and restore read past the filter.
            e.HasQueryFilter(i => i.DeletedAt == null);
            e.HasMany(i => i.Domains).WithOne(d => d.Institution).HasForeignKey(d => d.InstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SenderDomain>(e =>
        {
            e.ToTable("Domains");
            // A domain belongs to one institution: two institutions claiming it is a conflict, not two rows.
            e.HasIndex(d => d.Name).IsUnique();
            e.Property(d => d.Name).HasMaxLength(253);
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.Property(d => d.LeaseOwner).HasMaxLength(100);
            e.Property(d => d.ChallengeToken).HasMaxLength(64);
            e.Property(d => d.PublishProblem).HasMaxLength(1000);
            e.Property(d => d.StateReason).HasMaxLength(1000);
            e.HasIndex(d => d.NextCheckAt);
            // A domain is hidden when it or its institution is deleted (the institution's filter alone would not hide it).
            e.HasQueryFilter(d => d.DeletedAt == null && d.Institution!.DeletedAt == null);
        });
        modelBuilder.Entity<DomainClaim>(e =>
        {
            e.Property(c => c.DomainName).HasMaxLength(253);
            e.Property(c => c.ChallengeToken).HasMaxLength(64);
            e.Property(c => c.Resolution).HasConversion(ClaimResolutionColumn.Converter).HasMaxLength(16);
            e.HasIndex(c => new { c.DomainName, c.ClaimantInstitutionId });
            e.HasOne<Institution>().WithMany().HasForeignKey(c => c.ClaimantInstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DomainTransition>(e =>
        {
            e.HasIndex(t => new { t.DomainId, t.Id });
            e.Property(t => t.From).HasConversion<string>().HasMaxLength(16);
            e.Property(t => t.To).HasConversion<string>().HasMaxLength(16);
            e.Property(t => t.Reason).HasMaxLength(1000);
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(t => t.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<KeyRotation>(e =>
        {
            e.HasIndex(r => r.GroupTarget).IsUnique();
            e.HasIndex(r => r.NextRotationAt);
            e.Property(r => r.GroupTarget).HasMaxLength(253);
            e.Property(r => r.Step).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.LeaseOwner).HasMaxLength(100);
            e.Property(r => r.BlockedReason).HasMaxLength(1000);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasOne<Institution>().WithMany().HasForeignKey(r => r.InstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Webhook>(e =>
        {
            e.Property(w => w.Url).HasMaxLength(2000);
            e.HasOne<Institution>().WithMany().HasForeignKey(w => w.InstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebhookDelivery>(e =>
        {
            e.HasIndex(d => new { d.DeliveredAt, d.NextAttemptAt });
            e.Property(d => d.Event).HasMaxLength(64);
            e.Property(d => d.LeaseOwner).HasMaxLength(100);
            e.Property(d => d.LastError).HasMaxLength(1000);
            e.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DkimKey>(e =>
        {
            e.HasIndex(k => new { k.TargetName, k.State });
            e.HasIndex(k => k.InstitutionId);
            e.Property(k => k.Selector).HasMaxLength(63);
            e.Property(k => k.TargetName).HasMaxLength(253);
            e.Property(k => k.Algorithm).HasConversion(DkimKeyColumn.Converter).HasMaxLength(16);
            e.Property(k => k.State).HasConversion<string>().HasMaxLength(16);
            e.Property(k => k.Version).IsConcurrencyToken();
            e.HasOne<Institution>().WithMany().HasForeignKey(k => k.InstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CheckRun>(e =>
        {
            e.HasIndex(c => new { c.DomainId, c.At });
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(c => c.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("Audit");
            e.HasIndex(a => new { a.InstitutionId, a.Id });
            e.HasIndex(a => a.At);
            e.Property(a => a.Actor).HasMaxLength(200);
            e.Property(a => a.Client).HasMaxLength(64);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.Subject).HasMaxLength(300);
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.HasIndex(k => k.Hash).IsUnique();
            e.Property(k => k.Name).HasMaxLength(100);
            e.Property(k => k.Prefix).HasMaxLength(16);
            e.Property(k => k.Scopes).HasMaxLength(100).HasDefaultValue("admin");
            e.Property(k => k.Hash).HasMaxLength(32);
        });
        modelBuilder.Entity<ServerSetting>(e =>
        {
            e.HasKey(s => s.Key);
            e.Property(s => s.Key).HasMaxLength(64);
        });
        ConfigureReports(modelBuilder);
        ReportIdentityDay.Configure(modelBuilder);
        StoredFailureReport.Configure(modelBuilder);
    }

    private static void ConfigureReports(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredReport>(e =>
        {
            e.ToTable("Reports");
            // The deduplication key: a unique index, so two instances importing the same report cannot both win.
            // Per policy domain (one tenant's ids cannot collide with another's) and per channel (an upload never
            // shadows the mailbox's copy).
            e.HasIndex(r => new { r.PolicyDomain, r.ReporterOrg, r.ReportId, r.Uploaded }).IsUnique();
            e.HasIndex(r => new { r.DomainId, r.Begin });
            // The backfill's cursor: reports not rolled up yet, in id order (an index scan, empty once it is done).
            e.HasIndex(r => new { r.RolledUp, r.Id });
            e.Property(r => r.ReporterOrg).HasMaxLength(300);
            e.Property(r => r.ReportId).HasMaxLength(300);
            e.Property(r => r.PolicyDomain).HasMaxLength(253);
            e.Property(r => r.PublishedPolicy).HasMaxLength(300);
            e.Property(r => r.Origin).HasMaxLength(300);
            e.Property(r => r.Provenance).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.ProvenanceDetail).HasMaxLength(500);
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StoredReportRecord>(e =>
        {
            e.ToTable("ReportRecords");
            e.HasIndex(r => new { r.DomainId, r.Day });
            e.HasIndex(r => r.ReportId);
            e.Property(r => r.SourceIp).HasMaxLength(45);
            e.Property(r => r.Disposition).HasMaxLength(16);
            e.Property(r => r.HeaderFrom).HasMaxLength(253);
            e.Property(r => r.EnvelopeFrom).HasMaxLength(253);
            e.Property(r => r.DkimDomain).HasMaxLength(253);
            e.Property(r => r.DkimSelector).HasMaxLength(63);
            e.Property(r => r.SpfDomain).HasMaxLength(253);
            e.Property(r => r.Reasons).HasMaxLength(200);
            e.HasOne<StoredReport>().WithMany().HasForeignKey(r => r.ReportId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ReportDay>(e =>
        {
            e.HasKey(d => new { d.DomainId, d.Day });
            e.HasOne<SenderDomain>().WithMany().HasForeignKey(d => d.DomainId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ForeignReport>(e =>
        {
            e.HasIndex(r => new { r.PolicyDomain, r.ReporterOrg, r.ReportId, r.Uploaded }).IsUnique();
            e.Property(r => r.Provenance).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.Warning).HasMaxLength(500);
            e.Property(r => r.ReporterOrg).HasMaxLength(300);
            e.Property(r => r.ReportId).HasMaxLength(300);
            e.Property(r => r.PolicyDomain).HasMaxLength(253);
            e.Property(r => r.Origin).HasMaxLength(300);
        });
        modelBuilder.Entity<QuarantinedReport>(e =>
        {
            e.Property(r => r.FileName).HasMaxLength(300);
            e.Property(r => r.StoredAs).HasMaxLength(500);
            e.Property(r => r.Reason).HasMaxLength(2000);
            e.Property(r => r.Origin).HasMaxLength(300);
            e.Property(r => r.Sha256).HasMaxLength(64);
        });
        modelBuilder.Entity<KnownSender>(e =>
        {
            e.HasIndex(k => new { k.InstitutionId, k.Name }).IsUnique();
            e.Property(k => k.Name).HasMaxLength(100);
            e.Property(k => k.Networks).HasMaxLength(2000);
            e.Property(k => k.DkimDomains).HasMaxLength(2000);
            e.HasOne<Institution>().WithMany().HasForeignKey(k => k.InstitutionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SignedCount>(e =>
        {
            e.HasKey(c => new { c.Domain, c.Selector, c.Day });
            e.Property(c => c.Domain).HasMaxLength(253);
            e.Property(c => c.Selector).HasMaxLength(63);
        });
    }

    /// <summary>Bumps the version of every modified row, so a stale writer fails instead of overwriting.</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State == EntityState.Modified)
            {
                entry.Entity.Version++;
            }
        }
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }
}

public sealed class SqliteSenderAuthDb(DbContextOptions<SqliteSenderAuthDb> options) : SenderAuthDb(options);

public sealed class PostgresSenderAuthDb(DbContextOptions<PostgresSenderAuthDb> options) : SenderAuthDb(options);
