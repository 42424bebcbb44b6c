using SenderAuth.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>
/// Report upload (operators: any domain, foreign ones kept apart; institutions: their own domains only), and the
/// lists of what was imported, kept apart and quarantined.
/// </summary>
public static class ReportUploadEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/reports").WithTags("DMARC reports");
        // Declared here: a JSON result with a status of its own (200, 403 or 422 from the per-file outcomes) carries no metadata.
        g.MapPost("", UploadAsync).RequireScope(ApiScope.ManageDomains).DisableAntiforgery()
            .Produces<ReportUploadResponse>(StatusCodes.Status200OK).Produces<ReportUploadResponse>(StatusCodes.Status403Forbidden)
            .Produces<ReportUploadResponse>(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Upload aggregate report files (.xml, .xml.gz, .zip, .eml) or failure report mails (.eml, RFC 9991): a raw body with ?name=FILE, or multipart/form-data with one or more files")
            .WithDescription("200 when every file was read (new reports imported; duplicates and foreign reports listed), 422 when a file was quarantined "
                + "(nothing of it stored; the reason names the file, line and column), 403 when an institution's file is about a domain not theirs (nothing stored), "
                + "429 when the institution's uploads per hour are used up (the problem's limit names the setting). Uploaded reports are untrusted "
                + "(provenance uploaded) unless the file is a whole mail that passes DMARC for the reporter's domain; a mailbox copy of the same report replaces an upload.");
        g.MapGet("/quarantine", QuarantineAsync).RequireScope(ApiScope.Read).WithSummary("Files that could not be imported, with the reason (institutions: their own uploads)");
        g.MapGet("/foreign", ForeignAsync).RequireScope(ApiScope.Read).WithSummary("Reports about domains that are not ours (operators)");
        api.MapGet("/institutions/{code}/domains/{domain}/reports", ListAsync).RequireScope(ApiScope.Read).WithTags("DMARC reports")
            .WithSummary("The reports imported for a domain, newest first");
    }

    private static async Task<Results<JsonHttpResult<ReportUploadResponse>, ProblemHttpResult>> UploadAsync(HttpContext http, ReportImporter importer, SenderAuthDb db, TimeProvider time,
        IOptions<StoreOptions> options, string? name)
    {
        var caller = Caller.From(http);
        var o = options.Value;
        // Refused before the body is read: a flood costs the server a count, not 50 MiB of spooling per request.
        var used = await UploadsLastHourAsync(db, time, caller, http.RequestAborted).ConfigureAwait(false);
        if (QuotaHit(o, caller, used, 1) is { } first)
        {
            return ErrorResponses.Problem(first, http);
        }
        var limit = o.Reports.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + (1 << 20);
        }
        var spool = Path.Combine(o.DataDirectory, "reports", "incoming");
        Directory.CreateDirectory(spool);
        var files = new List<(string Path, string Name)>();
        try
        {
            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                foreach (var f in form.Files)
                {
                    var stream = f.OpenReadStream();
                    await using (stream.ConfigureAwait(false))
                    {
                        if (!(await SpoolAsync(stream, spool, limit, http.RequestAborted).ConfigureAwait(false)).TryGet(out var spooled, out var error))
                        {
                            return ErrorResponses.Problem(error, http);
                        }
                        files.Add((spooled, f.FileName));
                    }
                }
            }
            else
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    return ErrorResponses.Problem(new ServiceError.Invalid("name the file: ?name=report.xml.gz (the name is kept with the report and shown in errors)", "name"), http);
                }
                if (!(await SpoolAsync(http.Request.Body, spool, limit, http.RequestAborted).ConfigureAwait(false)).TryGet(out var spooled, out var error))
                {
                    return ErrorResponses.Problem(error, http);
                }
                files.Add((spooled, name));
            }
            if (files.Count == 0)
            {
                return ErrorResponses.Problem(new ServiceError.Invalid("no file in the request", "file"), http);
            }
            if (QuotaHit(o, caller, used, files.Count) is { } many)
            {
                return ErrorResponses.Problem(many, http);
            }
            var outcomes = new List<FileImportOutcome>();
            foreach (var (path, fileName) in files)
            {
                var outcome = await importer.ImportFileAsync(path, Path.GetFileName(fileName), ReportSource.Upload(caller.KeyId, caller.Actor, caller.InstitutionId), http.RequestAborted).ConfigureAwait(false);
                outcomes.Add(outcome);
                // One audit entry per file: the record of who uploaded what, and the count the hourly quota reads.
                db.Record(time, caller, caller.InstitutionId, AuditActions.ReportUpload, outcome.File,
                    $"key {caller.KeyId}: {outcome.Summary()}; {string.Join(", ", outcome.Reports.Select(r => $"{r.ReporterOrg} {r.ReportId} {SenderAuthJson.Token(r.Status)} {r.Provenance.Token()}"))}");
                await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
                db.ChangeTracker.Clear();
            }
            var status = outcomes.Any(x => x.Status == FileImportStatus.Rejected) ? StatusCodes.Status403Forbidden
                : outcomes.Any(x => x.Status == FileImportStatus.Quarantined) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK;
            // A per-file outcome, not a problem: the body lists every file whatever the status.
            return TypedResults.Json(new ReportUploadResponse(outcomes.Select(UploadedFileOutcome.From).ToList()), SenderAuthJson.Options, statusCode: status);
        }
        finally
        {
            foreach (var (path, _) in files)
            {
                File.Delete(path);
            }
        }
    }

    private static Task<int> UploadsLastHourAsync(SenderAuthDb db, TimeProvider time, Caller caller, CancellationToken ct)
    {
        if (caller.InstitutionId is not { } institution)
        {
            return Task.FromResult(0);
        }
        var since = time.GetUtcNow().UtcDateTime.AddHours(-1);
        return db.Audit.AsNoTracking().CountAsync(a => a.Action == AuditActions.ReportUpload && a.InstitutionId == institution && a.At > since, ct);
    }

    /// <summary>
    /// An institution's uploads per hour (Reports:UploadsPerHour), counted from the audit log so it holds across
    /// instances and restarts. Operators are not limited: they are trusted with the platform, and bulk history goes
    /// through the CLI or the watched folder anyway.
    /// </summary>
    private static ServiceError? QuotaHit(StoreOptions o, Caller caller, int used, int adding) =>
        caller.InstitutionId is not null && used + adding > o.Reports.UploadsPerHour
            ? new ServiceError.RateLimited($"at most {o.Reports.UploadsPerHour} report files per hour per institution (SenderAuth:Reports:UploadsPerHour); "
                + $"{used} uploaded in the last hour", "SenderAuth:Reports:UploadsPerHour", o.Reports.UploadsPerHour, 3600)
            : null;

    /// <summary>Copies the body to a spool file, stopping at the limit without reading the rest.</summary>
    private static async Task<Result<string>> SpoolAsync(Stream body, string folder, long limit, CancellationToken ct)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    File.Delete(path);
                    return new ServiceError.TooLarge($"the file is larger than {limit} bytes (SenderAuth:Reports:MaxUploadBytes)");
                }
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            if (total == 0)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                File.Delete(path);
                return new ServiceError.Invalid("the file is empty", "file");
            }
        }
        return path;
    }

    private static async Task<Results<Ok<PagedList<QuarantinedFile>>, ProblemHttpResult>> QuarantineAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        var caller = Caller.From(http);
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var items = await db.QuarantinedReports.AsNoTracking().Where(r => caller.IsOperator || r.InstitutionId == caller.InstitutionId).OrderByDescending(r => r.Id)
            .ToPagedListAsync(paging, r => new QuarantinedFile(r.Id, r.FileName, r.Reason, r.Origin, r.Bytes, r.Sha256, r.At, caller.IsOperator ? r.StoredAs : null), http.RequestAborted)
            .ConfigureAwait(false);
        return TypedResults.Ok(items);
    }

    private static async Task<Results<Ok<ForeignReportsResponse>, ProblemHttpResult>> ForeignAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, int? page, int? pageSize)
    {
        if (Scope.RequireOperator(Caller.From(http)) is { } refused)
        {
            return ErrorResponses.Problem(refused, http);
        }
        if (!PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out var error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var shown = await db.ForeignReports.AsNoTracking().OrderByDescending(r => r.Id)
            .ToPagedListAsync(paging, r => new ForeignReportDto(r.ReporterOrg, r.ReportId, r.PolicyDomain, r.Begin, r.End, r.MessageCount, r.RecordCount, r.Origin, r.ImportedAt, r.Provenance, r.Warning), http.RequestAborted)
            .ConfigureAwait(false);
        var messages = shown.Total == 0 ? 0 : await db.ForeignReports.SumAsync(r => r.MessageCount, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ForeignReportsResponse(shown.Total, messages, shown.Page, shown.PageSize, shown.Items));
    }

    private static async Task<Results<Ok<PagedList<AggregateReportDto>>, ProblemHttpResult>> ListAsync(HttpContext http, SenderAuthDb db, IOptions<ApiLimits> limits, string code, string domain, int? page, int? pageSize)
    {
        if (!(await Scope.DomainAsync(db, Caller.From(http), code, domain, http.RequestAborted).ConfigureAwait(false)).TryGet(out var found, out var error)
            || !PageRequest.Read(page, pageSize, limits.Value).TryGet(out var paging, out error))
        {
            return ErrorResponses.Problem(error, http);
        }
        var domainId = found.Domain.Id;
        var items = await db.Reports.AsNoTracking().Where(r => r.DomainId == domainId).OrderByDescending(r => r.Begin).ThenByDescending(r => r.Id)
            .ToPagedListAsync(paging, r => new
            {
                org = r.ReporterOrg, r.ReportId, domain = r.PolicyDomain, r.Begin, r.End, policy = r.PublishedPolicy, records = r.RecordCount, messages = r.MessageCount,
                r.Origin, r.ImportedAt, r.Provenance, r.Trusted, provenanceDetail = r.ProvenanceDetail, r.Warnings,
            }, http.RequestAborted)
            .ConfigureAwait(false);
        // Warnings are stored as JSON text: read back after the query, not inside it.
        return TypedResults.Ok(items.Map(r => new AggregateReportDto(r.org, r.ReportId, r.domain, r.Begin, r.End, r.policy, r.records, r.messages, r.Origin, r.ImportedAt,
            r.Provenance, r.Trusted, r.provenanceDetail, ReportWarnings.FromJson(r.Warnings))));
    }
}
