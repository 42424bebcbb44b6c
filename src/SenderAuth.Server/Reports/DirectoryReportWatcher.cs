using SenderAuth.Json;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>One file of the watched directory: its import status and where it went (processed/ or failed/).</summary>
public sealed record DirectoryFileOutcome(string File, FileImportSummary Status, string MovedTo, string? Reason = null);

/// <summary>
/// Imports the report files dropped into SenderAuth:Reports:WatchDirectory (batch imports). Each scan claims every
/// finished file (not hidden, not .tmp/.part, unchanged for <see cref="SettleTime"/>) by renaming it into
/// <c>.processing/</c>, imports it (origin <c>directory</c>), then moves it to <c>processed/</c>, or to
/// <c>failed/</c> with <c>NAME.reason.txt</c> next to it when it was quarantined.
/// </summary>
/// <remarks>
/// The claim is the exclusion between instances sharing the directory: a rename that refuses to replace an existing
/// name (link, then unlink, on Unix) succeeds for exactly one of them; the others find the file gone or the name
/// taken, and skip it. A claim whose instance died is given back after <see cref="AbandonedAfter"/>; importing it
/// again is harmless, as the report's unique key makes a second import a duplicate.
/// </remarks>
public sealed class DirectoryReportWatcher(IServiceScopeFactory scopes, IOptions<ReportOptions> options, TimeProvider time, ServerMetrics metrics, ILogger<DirectoryReportWatcher> log) : BackgroundService
{
    /// <summary>A file modified more recently than this may still be being written: left for the next scan.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>A claimed file untouched this long belongs to an instance that died: it goes back to the directory.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    public const string Processing = ".processing";
    public const string Processed = "processed";
    public const string Failed = "failed";

    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reports = options.Value;
        if (!reports.BackgroundIngestion || string.IsNullOrWhiteSpace(reports.WatchDirectory))
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(reports.WatchIntervalSeconds), time);
        try
        {
            do
            {
                try
                {
                    await ScanOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failed scan (directory, database) must not stop the server: logged, retried next tick.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    metrics.ReportSourceFailed("directory");
                    log.LogWarning(new EventId(LogEvents.Reports + 1), "watched report directory {Directory}: scan failed ({Type}: {Message}); retrying in {Seconds} s",
                        reports.WatchDirectory, e.GetType().Name, e.Message, reports.WatchIntervalSeconds);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Claims and imports every finished file now (tests, and the background loop).</summary>
    public async Task<IReadOnlyList<DirectoryFileOutcome>> ScanOnceAsync(CancellationToken ct)
    {
        var configured = options.Value.WatchDirectory;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return [];
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var dir = Path.GetFullPath(configured);
            var processing = Directory.CreateDirectory(Path.Combine(dir, Processing)).FullName;
            var processed = Directory.CreateDirectory(Path.Combine(dir, Processed)).FullName;
            var failed = Directory.CreateDirectory(Path.Combine(dir, Failed)).FullName;
            var now = time.GetUtcNow().UtcDateTime;
            ReleaseAbandoned(dir, processing, now);
            var outcomes = new List<DirectoryFileOutcome>();
            var candidates = new DirectoryInfo(dir).EnumerateFiles()
                .Where(f => Eligible(f, now))
                .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
            foreach (var file in candidates)
            {
                ct.ThrowIfCancellationRequested();
                var claimed = Path.Combine(processing, file.Name);
                if (!TryClaim(file.FullName, claimed, now))
                {
                    continue;
                }
                try
                {
                    outcomes.Add(await ImportClaimedAsync(claimed, file.Name, processed, failed, ct).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not the file's fault (the database is unreachable, the disk full): give it back for the next scan.
                    GiveBack(claimed, Path.Combine(dir, file.Name));
                    throw;
                }
            }
            return outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Symbolic links are not followed: a link dropped in would make the server read any file it can.</summary>
    private static bool Eligible(FileInfo f, DateTime now) =>
        !f.Name.StartsWith('.')
        && !f.Name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
        && !f.Name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
        && (f.Attributes & (FileAttributes.Hidden | FileAttributes.ReparsePoint)) == 0
        && f.LastWriteTimeUtc <= now - SettleTime;

    /// <summary>The atomic claim: false when another instance took the file first (gone, or the name is taken).</summary>
    private static bool TryClaim(string source, string claimed, DateTime now)
    {
        try
        {
            File.Move(source, claimed, overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // The claim time, for ReleaseAbandoned: a rename keeps the old modification time.
        File.SetLastWriteTimeUtc(claimed, now);
        return true;
    }

    private async Task<DirectoryFileOutcome> ImportClaimedAsync(string claimed, string name, string processed, string failed, CancellationToken ct)
    {
        FileImportOutcome outcome;
        using (var scope = scopes.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
            outcome = await importer.ImportFileAsync(claimed, name, ReportSource.Folder(), ct).ConfigureAwait(false);
        }
        var ok = outcome.Status == FileImportStatus.Imported;
        var target = FreeName(ok ? processed : failed, name);
        if (!ok)
        {
            await File.WriteAllTextAsync(target + ".reason.txt", (outcome.Reason ?? SenderAuthJson.Token(outcome.Status)) + "\n", ct).ConfigureAwait(false);
        }
        try
        {
            File.Move(claimed, target, overwrite: false);
        }
        catch (FileNotFoundException)
        {
            // Given back as abandoned and taken by another instance meanwhile: that one files it.
            log.LogWarning(new EventId(LogEvents.Reports + 2), "watched report file {File}: moved away while it was being imported", name);
        }
        var status = outcome.SummaryStatus();
        if (!ok)
        {
            log.LogWarning(new EventId(LogEvents.Reports + 3), "watched report file {File} moved to {Folder}: {Reason}", name, failed, outcome.Reason);
        }
        return new DirectoryFileOutcome(name, status, Path.GetRelativePath(Path.GetDirectoryName(processed)!, target), outcome.Reason);
    }

    /// <summary>The name in the folder, or a time-stamped one when a file of that name was filed before.</summary>
    private string FreeName(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        for (var n = 1; File.Exists(path) || File.Exists(path + ".reason.txt"); n++)
        {
            path = Path.Combine(folder, $"{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss}-{n}-{name}");
        }
        return path;
    }

    private static void GiveBack(string claimed, string original)
    {
        try
        {
            File.Move(claimed, original, overwrite: false);
        }
        catch (IOException)
        {
            // A new file of that name is waiting: this one stays claimed and is given back once abandoned.
        }
    }

    private void ReleaseAbandoned(string dir, string processing, DateTime now)
    {
        foreach (var f in new DirectoryInfo(processing).EnumerateFiles())
        {
            if (f.LastWriteTimeUtc > now - AbandonedAfter)
            {
                continue;
            }
            try
            {
                File.Move(f.FullName, Path.Combine(dir, f.Name), overwrite: false);
                log.LogWarning(new EventId(LogEvents.Reports + 4), "watched report file {File}: claimed {Minutes:0} min ago by an instance that did not finish; given back", f.Name, (now - f.LastWriteTimeUtc).TotalMinutes);
            }
            catch (IOException)
            {
                // Another instance gave it back first, or a new file of that name is waiting: the next scan sees.
            }
        }
    }
}
