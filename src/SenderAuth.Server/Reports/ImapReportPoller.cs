using SenderAuth.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Reports;

/// <summary>What one poll of one mailbox did (in JSON and logs: <c>polled</c>, <c>busy</c>, <c>failed</c>).</summary>
public enum ImapPollStatus
{
    /// <summary>Read: its messages imported and moved.</summary>
    Polled,
    /// <summary>Skipped: another poll (this instance's or another instance's) holds the mailbox.</summary>
    Busy,
    /// <summary>The mailbox could not be read (network, login, server); retried at the next poll.</summary>
    Failed,
}

/// <summary>What one poll of one mailbox did, with the outcome of each message read.</summary>
public sealed record ImapPollResult(string Mailbox, ImapPollStatus Status, IReadOnlyList<ImapMessageOutcome> Messages, string? Error = null);

/// <summary>One message: its import status (or <c>too-large</c>) and the folder it went to.</summary>
public sealed record ImapMessageOutcome(uint Uid, string? Subject, FileImportSummary Status, string MovedTo, string? Reason = null);

/// <summary>
/// Polls the configured IMAP mailboxes (the rua addresses) with MailKit: every message is spooled to a file,
/// imported with <see cref="ReportImporter"/> (its own transaction, deduplicated by the unique key), then moved:
/// to the archive folder when it was read (new, duplicate or foreign reports), to the error folder, wrapped in a
/// note that says why, when it was quarantined. Moving only after the import commits makes a crash in between
/// harmless: the message is read again on the next poll and archived as a duplicate.
/// </summary>
/// <remarks>
/// On PostgreSQL several instances may poll the same mailbox: each poll takes a session-level advisory lock keyed
/// by the mailbox on a dedicated connection (no pooling, so the lock dies with the session if the instance dies)
/// and an instance that does not get it skips that poll. On SQLite there is one instance; a per-mailbox semaphore
/// keeps the background loop and <see cref="PollOnceAsync"/> apart within it.
/// </remarks>
public sealed class ImapReportPoller(IServiceScopeFactory scopes, IOptions<StoreOptions> options, TimeProvider time, ServerMetrics metrics, ILogger<ImapReportPoller> log) : BackgroundService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, SemaphoreSlim> _busy = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reports = options.Value.Reports;
        if (!reports.BackgroundIngestion || reports.Imap.Count == 0)
        {
            return;
        }
        await Task.WhenAll(reports.Imap.Select(m => LoopAsync(m, stoppingToken))).ConfigureAwait(false);
    }

    private async Task LoopAsync(ImapMailboxOptions mailbox, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(mailbox.PollSeconds), time);
        try
        {
            do
            {
                // PollMailboxAsync never throws but for cancellation: a failed poll is logged and retried next tick.
                await PollMailboxAsync(mailbox, ct).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Polls every configured mailbox once, one after the other (the tests drive ingestion with it).</summary>
    public async Task<IReadOnlyList<ImapPollResult>> PollOnceAsync(CancellationToken ct)
    {
        var results = new List<ImapPollResult>();
        foreach (var mailbox in options.Value.Reports.Imap)
        {
            results.Add(await PollMailboxAsync(mailbox, ct).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<ImapPollResult> PollMailboxAsync(ImapMailboxOptions mailbox, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_busy)
        {
            if (!_busy.TryGetValue(mailbox.Name, out gate!))
            {
                _busy[mailbox.Name] = gate = new SemaphoreSlim(1, 1);
            }
        }
        if (!await gate.WaitAsync(0, ct).ConfigureAwait(false))
        {
            return new ImapPollResult(mailbox.Name, ImapPollStatus.Busy, []);
        }
        try
        {
            var o = options.Value;
            await using var mailboxLock = await AdvisoryLock.TryTakeAsync(o, "imap:" + mailbox.Name, ct).ConfigureAwait(false);
            if (mailboxLock is null)
            {
                log.LogDebug(new EventId(LogEvents.Reports + 5), "IMAP mailbox {Mailbox}: polled by another instance now; skipped", mailbox.Name);
                return new ImapPollResult(mailbox.Name, ImapPollStatus.Busy, []);
            }
            return new ImapPollResult(mailbox.Name, ImapPollStatus.Polled, await PollAsync(mailbox, o, ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A mailbox that cannot be read (network, login, server) must not stop the server: logged, retried next poll.
        catch (Exception e)
#pragma warning restore CA1031
        {
            metrics.ReportSourceFailed("imap");
            log.LogWarning(new EventId(LogEvents.Reports + 6), "IMAP mailbox {Mailbox}: poll failed ({Type}: {Message}); retrying in {Seconds} s",
                mailbox.Name, e.GetType().Name, e.Message, mailbox.PollSeconds);
            return new ImapPollResult(mailbox.Name, ImapPollStatus.Failed, [], $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<List<ImapMessageOutcome>> PollAsync(ImapMailboxOptions mailbox, StoreOptions o, CancellationToken ct)
    {
        using var client = new ImapClient { Timeout = (int)Timeout.TotalMilliseconds };
        var security = mailbox.Security switch
        {
            ImapSecurity.Tls => SecureSocketOptions.SslOnConnect,
            ImapSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(mailbox.Host, mailbox.Port, security, ct).ConfigureAwait(false);
        await client.AuthenticateAsync(mailbox.User, mailbox.Password ?? "", ct).ConfigureAwait(false);
        var inbox = await client.GetFolderAsync(mailbox.Folder, ct).ConfigureAwait(false);
        var archive = await ImapFolders.GetOrCreateAsync(client, mailbox.ArchiveFolder, ct).ConfigureAwait(false);
        var errors = await ImapFolders.GetOrCreateAsync(client, mailbox.ErrorFolder, ct).ConfigureAwait(false);
        await inbox.OpenAsync(FolderAccess.ReadWrite, ct).ConfigureAwait(false);
        var uids = await inbox.SearchAsync(SearchQuery.NotDeleted, ct).ConfigureAwait(false);
        var outcomes = new List<ImapMessageOutcome>();
        if (uids.Count > 0)
        {
            // Oldest first, bounded: a flooded mailbox is worked through over several polls.
            var batch = uids.OrderBy(u => u.Id).Take(mailbox.MaxMessagesPerPoll).ToList();
            var summaries = await inbox.FetchAsync(batch, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Envelope), ct)
                .ConfigureAwait(false);
            foreach (var summary in summaries.OrderBy(s => s.UniqueId.Id))
            {
                outcomes.Add(await HandleAsync(inbox, archive, errors, summary, mailbox, o, ct).ConfigureAwait(false));
            }
        }
        await client.DisconnectAsync(true, ct).ConfigureAwait(false);
        if (outcomes.Count > 0)
        {
            log.LogInformation(new EventId(LogEvents.Reports + 7), "IMAP mailbox {Mailbox}: {Archived} message(s) archived, {Failed} moved to {ErrorFolder}",
                mailbox.Name, outcomes.Count(x => x.MovedTo == mailbox.ArchiveFolder), outcomes.Count(x => x.MovedTo == mailbox.ErrorFolder), mailbox.ErrorFolder);
        }
        return outcomes;
    }

    private async Task<ImapMessageOutcome> HandleAsync(IMailFolder inbox, IMailFolder archive, IMailFolder errors, IMessageSummary summary,
        ImapMailboxOptions mailbox, StoreOptions o, CancellationToken ct)
    {
        var uid = summary.UniqueId;
        var subject = summary.Envelope?.Subject;
        if (summary.Size is { } size && size > mailbox.MaxMessageBytes)
        {
            // Not downloaded: the note names it, and the message itself goes to the error folder untouched.
            var reason = $"the message is {size} bytes, larger than MaxMessageBytes ({mailbox.MaxMessageBytes}); it was not read";
            await errors.AppendAsync(await ImapFolders.NoteAsync(summary, mailbox, reason, original: null, time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            await inbox.MoveToAsync(uid, errors, ct).ConfigureAwait(false);
            log.LogWarning(new EventId(LogEvents.Reports + 8), "IMAP mailbox {Mailbox}: message {Uid} ({Subject}) moved to {Folder}: {Reason}", mailbox.Name, uid.Id, subject, mailbox.ErrorFolder, reason);
            return new ImapMessageOutcome(uid.Id, subject, FileImportSummary.TooLarge, mailbox.ErrorFolder, reason);
        }
        var spool = Path.Combine(o.DataDirectory, "reports", "incoming");
        Directory.CreateDirectory(spool);
        var path = Path.Combine(spool, $"imap-{Guid.NewGuid():N}.eml");
        try
        {
            if (!await SpoolAsync(inbox, uid, path, mailbox.MaxMessageBytes, ct).ConfigureAwait(false))
            {
                var reason = $"the message is larger than MaxMessageBytes ({mailbox.MaxMessageBytes}) although the server announced {summary.Size} bytes; it was not read to the end";
                await errors.AppendAsync(await ImapFolders.NoteAsync(summary, mailbox, reason, original: null, time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                await inbox.MoveToAsync(uid, errors, ct).ConfigureAwait(false);
                return new ImapMessageOutcome(uid.Id, subject, FileImportSummary.TooLarge, mailbox.ErrorFolder, reason);
            }
            FileImportOutcome outcome;
            using (var scope = scopes.CreateScope())
            {
                var importer = scope.ServiceProvider.GetRequiredService<ReportImporter>();
                outcome = await importer.ImportFileAsync(path, $"message-{uid.Id}.eml", ReportSource.Mailbox(mailbox.Name), ct).ConfigureAwait(false);
            }
            if (outcome.Status == FileImportStatus.Imported)
            {
                await inbox.MoveToAsync(uid, archive, ct).ConfigureAwait(false);
                return new ImapMessageOutcome(uid.Id, subject, outcome.SummaryStatus(), mailbox.ArchiveFolder);
            }
            var why = outcome.Reason ?? SenderAuthJson.Token(outcome.Status);
            var original = File.OpenRead(path);
            await using (original.ConfigureAwait(false))
            {
                await errors.AppendAsync(await ImapFolders.NoteAsync(summary, mailbox, why, original, time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
            // The note holds the original now: delete it from the inbox (appended first, so a crash loses nothing).
            await inbox.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, ct).ConfigureAwait(false);
            await inbox.ExpungeAsync([uid], ct).ConfigureAwait(false);
            return new ImapMessageOutcome(uid.Id, subject, outcome.SummaryStatus(), mailbox.ErrorFolder, why);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Copies the raw message to the spool; false (and stops reading) past the limit: the server's SIZE may be wrong.</summary>
    private static async Task<bool> SpoolAsync(IMailFolder inbox, UniqueId uid, string path, long limit, CancellationToken ct)
    {
        var source = await inbox.GetStreamAsync(uid, ct).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
            await using (file.ConfigureAwait(false))
            {
                var buffer = new byte[64 * 1024];
                long total = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > limit)
                    {
                        return false;
                    }
                    await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
            }
        }
        return true;
    }
}
