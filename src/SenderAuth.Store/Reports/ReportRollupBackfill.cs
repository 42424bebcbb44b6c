using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Reports;

/// <summary>
/// Builds the rollups of reports stored before rollups existed (<see cref="StoredReport.RolledUp"/> false), at start
/// right after the schema upgrade (server and CLI alike), so the analysis, which reads only rollups, never sees a
/// partial picture. In batches of about <see cref="RecordsPerBatch"/> records, each one transaction that adds the
/// batch's rollups and marks its reports: stopped anywhere (a crash, a restart), the next start resumes at the first
/// report not marked, and nothing is counted twice.
/// </summary>
/// <remarks>
/// Instances starting together on one PostgreSQL database share the work: a batch is claimed by marking its reports
/// in its own transaction; when another instance marked some of them first (its update waits for that one's commit,
/// then finds them marked), the batch is rolled back and read again.
/// </remarks>
public static partial class ReportRollupBackfill
{
    /// <summary>Records summed per transaction: a few seconds of work, a bounded rollup in memory.</summary>
    private const int RecordsPerBatch = 20_000;
    private const int MaxReportsPerBatch = 500;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    /// <returns>The reports this call rolled up (0 when there were none left).</returns>
    public static async Task<long> RunAsync(SenderAuthDb db, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(logger);
        var pending = await db.Reports.LongCountAsync(r => !r.RolledUp, ct).ConfigureAwait(false);
        if (pending == 0)
        {
            return 0;
        }
        LogStarting(logger, pending);
        var total = Stopwatch.StartNew();
        var progress = Stopwatch.StartNew();
        long reports = 0, records = 0, after = 0;
        while (true)
        {
            var candidates = await db.Reports.AsNoTracking().Where(r => !r.RolledUp && r.Id > after).OrderBy(r => r.Id).Take(MaxReportsPerBatch)
                .Select(r => new { r.Id, r.ReporterOrg, r.RecordCount }).ToListAsync(ct).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                break;
            }
            long sum = 0;
            var batch = candidates.TakeWhile((r, i) => i == 0 || (sum += r.RecordCount) <= RecordsPerBatch).ToList();
            var ids = batch.Select(r => r.Id).ToList();
            var reporters = batch.ToDictionary(r => r.Id, r => r.ReporterOrg);
            var added = 0L;
            await using (var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false))
            {
                var claimed = await db.Reports.Where(r => ids.Contains(r.Id) && !r.RolledUp)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.RolledUp, true), ct).ConfigureAwait(false);
                if (claimed != ids.Count)
                {
                    // Another instance took some of them: read this stretch again, without the ones it marked.
                    await tx.RollbackAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var rollup = new ReportRollup();
                await foreach (var r in db.ReportRecords.AsNoTracking().Where(r => ids.Contains(r.ReportId)).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
                {
                    rollup.Add(r, reporters[r.ReportId]);
                    added++;
                }
                await rollup.WriteAsync(db, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
            }
            after = ids[^1];
            reports += ids.Count;
            records += added;
            if (progress.Elapsed >= ProgressEvery)
            {
                LogProgress(logger, reports, pending, records, (long)(records / total.Elapsed.TotalSeconds));
                progress.Restart();
            }
        }
        LogDone(logger, reports, records, total.ElapsedMilliseconds);
        return reports;
    }

    [LoggerMessage(EventId = LogEvents.Reports + 20, Level = LogLevel.Warning,
        Message = "Report rollups: {Pending} reports stored before rollups existed are summed now (once; an interrupted run resumes where it stopped)")]
    private static partial void LogStarting(ILogger logger, long pending);

    [LoggerMessage(EventId = LogEvents.Reports + 21, Level = LogLevel.Information, Message = "Report rollups: {Done} of {Pending} reports ({Records} records, {PerSecond} records/s)")]
    private static partial void LogProgress(ILogger logger, long done, long pending, long records, long perSecond);

    [LoggerMessage(EventId = LogEvents.Reports + 22, Level = LogLevel.Information, Message = "Report rollups: {Reports} reports ({Records} records) summed in {Milliseconds} ms")]
    private static partial void LogDone(ILogger logger, long reports, long records, long milliseconds);
}
