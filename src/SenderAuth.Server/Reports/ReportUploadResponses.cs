using SenderAuth.Reports;

namespace SenderAuth.Server.Reports;

// What the upload and the report lists answer, named so the OpenAPI document describes each body. Property order
// is the order the JSON is written in.

/// <summary>POST /reports: one outcome per uploaded file, whatever the status (200, 403 or 422).</summary>
public sealed record ReportUploadResponse(IReadOnlyList<UploadedFileOutcome> Files);

/// <summary>What happened to one uploaded file and to each report in it.</summary>
public sealed record UploadedFileOutcome(string File, FileImportStatus Status, string? Reason, int Imported, int Duplicates, int Foreign,
    IReadOnlyList<UploadedReportOutcome> Reports)
{
    public static UploadedFileOutcome From(FileImportOutcome o) =>
        new(o.File, o.Status, o.Reason, o.Imported, o.Duplicates, o.Foreign, o.Reports.Select(UploadedReportOutcome.From).ToList());
}

/// <summary>One report of an uploaded file: imported, duplicate, foreign…, and how far its origin is proven.</summary>
public sealed record UploadedReportOutcome(string Org, string ReportId, string Domain, ReportImportStatus Status, int Records, long Messages,
    ReportProvenance Provenance, bool Trusted, string? Warning, ReportKind Kind, IReadOnlyList<DmarcReportWarning> Warnings)
{
    public static UploadedReportOutcome From(ImportedReport r) => new(r.ReporterOrg, r.ReportId, r.Domain, r.Status, r.Records, r.Messages,
        r.Provenance, ReportProvenanceRules.Trusted(r.Provenance), r.Warning, r.Kind, r.Warnings ?? []);
}

/// <summary>A file that could not be imported; <see cref="StoredAs"/> (the kept copy in the data folder) is shown to operators only.</summary>
public sealed record QuarantinedFile(long Id, string FileName, string Reason, string Origin, long Bytes, string Sha256, DateTime At, string? StoredAs);

/// <summary>GET /reports/foreign: a page of reports about domains that are not ours, and their message total.</summary>
public sealed record ForeignReportsResponse(int Total, long Messages, int Page, int PageSize, IReadOnlyList<ForeignReportDto> Items);

public sealed record ForeignReportDto(string Org, string ReportId, string Domain, DateTime Begin, DateTime End, long Messages, int Records,
    string Origin, DateTime ImportedAt, ReportProvenance Provenance, string? Warning);

/// <summary>An aggregate report imported for a domain, with what the reader recovered from (<see cref="Warnings"/>).</summary>
public sealed record AggregateReportDto(string Org, string ReportId, string Domain, DateTime Begin, DateTime End, string Policy, int Records, long Messages,
    string Origin, DateTime ImportedAt, ReportProvenance Provenance, bool Trusted, string ProvenanceDetail, IReadOnlyList<DmarcReportWarning> Warnings);
