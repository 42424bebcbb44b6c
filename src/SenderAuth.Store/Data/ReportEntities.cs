namespace SenderAuth.Store.Data;

/// <summary>
/// One imported DMARC aggregate report for one of our sender domains. (PolicyDomain, ReporterOrg, ReportId,
/// Uploaded) is a unique key: the same report read twice, by one instance or by several at once, is stored once;
/// the policy domain keeps one tenant's report ids from colliding with another's, and uploads are keyed apart
/// from the mailbox so an upload can never make the mailbox's copy a "duplicate".
/// </summary>
public sealed class StoredReport
{
    public long Id { get; set; }
    public required string ReporterOrg { get; set; }
    public required string ReportId { get; set; }
    public long DomainId { get; set; }
    public long InstitutionId { get; set; }
    /// <summary>policy_published/domain as the reporter wrote it (the sender domain or one of its subdomains).</summary>
    public required string PolicyDomain { get; set; }
    public DateTime Begin { get; set; }
    public DateTime End { get; set; }
    /// <summary>The published policy the reporter saw, as DMARC tags (<c>p=none; adkim=r; …</c>).</summary>
    public required string PublishedPolicy { get; set; }
    /// <summary>imap:&lt;mailbox&gt;, upload:key &lt;id&gt; (&lt;actor&gt;), directory, cli.</summary>
    public required string Origin { get; set; }
    public DateTime ImportedAt { get; set; }
    public int RecordCount { get; set; }
    public long MessageCount { get; set; }
    /// <summary>Came in through the upload API (a tenant's or the operator's key), not the mailbox, folder or CLI.</summary>
    public bool Uploaded { get; set; }
    /// <summary>Counted by the advisor, findings and alerts by default: see <see cref="Provenance"/>.</summary>
    public bool Trusted { get; set; }
    /// <summary>How far the report's origin is proven (Reports/ReportProvenance): verified, unverified, uploaded, local-file.</summary>
    public ReportProvenance Provenance { get; set; }
    /// <summary>What was checked, for people: the report mail's dkim=/spf=/dmarc= results and From domain, or why nothing was.</summary>
    public required string ProvenanceDetail { get; set; }
    /// <summary>What the reader recovered (Reports/ReportWarnings): a JSON list of {code, message, position}; null when nothing was.</summary>
    public string? Warnings { get; set; }
    /// <summary>
    /// Its records are in the rollups (ReportSourceDay, ReportIdentityDay): set in the import's transaction, or by
    /// the backfill (Reports/ReportRollupBackfill) for reports stored before rollups existed. Removing a copy takes
    /// its records back out of the rollups only when this is set.
    /// </summary>
    public bool RolledUp { get; set; }
}

/// <summary>
/// One report record: <see cref="Count"/> messages from one source IP with one evaluation. The columns are what
/// the analysis groups by, so summaries are aggregate queries, not JSON walks.
/// </summary>
public sealed class StoredReportRecord
{
    public long Id { get; set; }
    public long ReportId { get; set; }
    public long DomainId { get; set; }
    /// <summary>The UTC day the report's range begins on: the unit of every time series.</summary>
    public DateTime Day { get; set; }
    public required string SourceIp { get; set; }
    public long Count { get; set; }
    public required string Disposition { get; set; }
    public bool DmarcPass { get; set; }
    public bool DkimAligned { get; set; }
    public bool SpfAligned { get; set; }
    /// <summary>Some DKIM signature passed (any d=), aligned or not.</summary>
    public bool DkimAuthPass { get; set; }
    /// <summary>SPF passed for the envelope identity, aligned or not.</summary>
    public bool SpfAuthPass { get; set; }
    /// <summary>The reporter named forwarding: a forwarded / mailing_list / trusted_forwarder override, or ARC.</summary>
    public bool ForwardHint { get; set; }
    public required string HeaderFrom { get; set; }
    public string? EnvelopeFrom { get; set; }
    /// <summary>The first passing DKIM signature's d= and s= (else the first signature's).</summary>
    public string? DkimDomain { get; set; }
    public string? DkimSelector { get; set; }
    public string? SpfDomain { get; set; }
    /// <summary>Override reasons as tokens, comma-separated.</summary>
    public string? Reasons { get; set; }
    /// <summary>The report's <see cref="StoredReport.Trusted"/>, kept on each row so the analysis filters without a join.</summary>
    public bool Trusted { get; set; }
}

/// <summary>
/// The day totals of a domain, added to by every trusted report imported for that day (same transaction):
/// summaries read at most a row per day, whatever the number of records behind them. Untrusted reports are not
/// in here; asking to include them sums their records instead.
/// </summary>
public sealed class ReportDay
{
    public long DomainId { get; set; }
    public DateTime Day { get; set; }
    public int Reports { get; set; }
    public long Messages { get; set; }
    public long DmarcPass { get; set; }
    public long DkimAligned { get; set; }
    public long SpfAligned { get; set; }
    public long DkimPass { get; set; }
    public long SpfPass { get; set; }
    public long Quarantine { get; set; }
    public long Reject { get; set; }
}

/// <summary>
/// A report about a domain that is not one of our sender domains, or one mailed to an institution's report address
/// about another institution's domain (<see cref="Warning"/>): counted, kept apart, never mixed in.
/// </summary>
public sealed class ForeignReport
{
    public long Id { get; set; }
    public required string ReporterOrg { get; set; }
    public required string ReportId { get; set; }
    public required string PolicyDomain { get; set; }
    public DateTime Begin { get; set; }
    public DateTime End { get; set; }
    public long MessageCount { get; set; }
    public int RecordCount { get; set; }
    public required string Origin { get; set; }
    public DateTime ImportedAt { get; set; }
    public bool Uploaded { get; set; }
    public ReportProvenance Provenance { get; set; }
    /// <summary>Why it was kept apart when its domain is ours: sent to another institution's report address.</summary>
    public string? Warning { get; set; }
}

/// <summary>A file that could not be imported: kept in the data folder's quarantine with the precise reason.</summary>
public sealed class QuarantinedReport
{
    public long Id { get; set; }
    public required string FileName { get; set; }
    /// <summary>Path of the kept copy, relative to the data folder.</summary>
    public required string StoredAs { get; set; }
    public required string Reason { get; set; }
    public required string Origin { get; set; }
    public long? InstitutionId { get; set; }
    public long Bytes { get; set; }
    public required string Sha256 { get; set; }
    public DateTime At { get; set; }
}

/// <summary>A third party an institution declared as sending for it (a newsletter tool, a CRM).</summary>
public sealed class KnownSender
{
    public long Id { get; set; }
    public long InstitutionId { get; set; }
    public required string Name { get; set; }
    /// <summary>CIDR networks, comma-separated.</summary>
    public string Networks { get; set; } = "";
    /// <summary>DKIM d= domains it signs with, comma-separated.</summary>
    public string DkimDomains { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>Messages the server signed, per From domain, selector and UTC day: what reports are reconciled with.</summary>
public sealed class SignedCount
{
    public required string Domain { get; set; }
    public required string Selector { get; set; }
    public DateTime Day { get; set; }
    public long Count { get; set; }
}
