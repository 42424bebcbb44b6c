using System.Text;
using Microsoft.EntityFrameworkCore;

namespace SenderAuth.Store.Reports;

/// <summary>
/// Sums report records into the rollup rows (<see cref="ReportSourceDay"/>, <see cref="ReportIdentityDay"/>) in
/// memory, then adds them to the stored rows with one upsert per few hundred rows. The one way rollups are written:
/// the importer (a report's records, in its transaction), a replaced copy taken back out (negative), the backfill
/// and the bench's seeding all go through here.
/// </summary>
/// <remarks>
/// <c>INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n</c> (the same text in SQLite and PostgreSQL)
/// adds atomically: two importers adding to the same row both count, with no read-modify-write to lose, and no
/// unique violation to retry. Rows go out in key order, so two transactions lock shared rows in the same order.
/// </remarks>
internal sealed class ReportRollup
{
    // Rows per INSERT statement: 15 and 11 parameters a row stay well under SQLite's 32,766 and PostgreSQL's 65,535.
    private const int RowsPerStatement = 500;

    private readonly Dictionary<(long DomainId, DateTime Day, string Ip, string Reporter, bool Trusted), ReportSourceDay> _sources = [];
    private readonly Dictionary<(long DomainId, DateTime Day, string Ip, bool Trusted, string Dkim, string Selector, string Spf), ReportIdentityDay> _identities = [];
    private bool _subtracted;

    /// <summary>Distinct rollup rows held (the caller writes when it grows).</summary>
    public int Rows => _sources.Count + _identities.Count;

    /// <summary>Adds one record (<paramref name="sign"/> 1) or takes it back out (-1, a copy being removed).</summary>
    public void Add(StoredReportRecord r, string reporterOrg, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(reporterOrg);
        _subtracted |= sign < 0;
        // Read back from SQLite a day has no kind; PostgreSQL's timestamptz takes only UTC.
        var day = DateTime.SpecifyKind(r.Day, DateTimeKind.Utc);
        var key = (r.DomainId, day, r.SourceIp, reporterOrg, r.Trusted);
        if (!_sources.TryGetValue(key, out var s))
        {
            _sources[key] = s = new ReportSourceDay { DomainId = r.DomainId, Day = day, SourceIp = r.SourceIp, ReporterOrg = reporterOrg, Trusted = r.Trusted };
        }
        long n = sign * r.Count;
        s.Records += sign;
        s.Messages += n;
        s.DmarcPass += r.DmarcPass ? n : 0;
        s.DkimAligned += r.DkimAligned ? n : 0;
        s.SpfAligned += r.SpfAligned ? n : 0;
        s.DkimPass += r.DkimAuthPass ? n : 0;
        s.SpfPass += r.SpfAuthPass ? n : 0;
        s.Forwarded += r.ForwardHint ? n : 0;
        s.Quarantine += r.Disposition == ReportRecordMapper.Quarantine ? n : 0;
        s.Reject += r.Disposition == ReportRecordMapper.Reject ? n : 0;

        var id = (r.DomainId, day, r.SourceIp, r.Trusted, r.DkimDomain ?? "", r.DkimSelector ?? "", r.SpfDomain ?? "");
        if (!_identities.TryGetValue(id, out var i))
        {
            _identities[id] = i = new ReportIdentityDay
            {
                DomainId = r.DomainId, Day = day, SourceIp = r.SourceIp, Trusted = r.Trusted, DkimDomain = id.Item5, DkimSelector = id.Item6, SpfDomain = id.Item7,
            };
        }
        i.Records += sign;
        i.Messages += n;
        i.DkimPassRecords += r.DkimAuthPass ? sign : 0;
        i.SpfPassRecords += r.SpfAuthPass ? sign : 0;
    }

    /// <summary>
    /// Adds the held rows to the stored ones and forgets them. After a subtraction, rows left with no record are
    /// deleted: a source that only a removed copy named must not stay in the list with zero messages.
    /// </summary>
    public async Task WriteAsync(SenderAuthDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sources = _sources.Values.OrderBy(s => s.DomainId).ThenBy(s => s.Day).ThenBy(s => s.SourceIp, StringComparer.Ordinal)
            .ThenBy(s => s.ReporterOrg, StringComparer.Ordinal).ThenBy(s => s.Trusted).ToList();
        foreach (var chunk in sources.Chunk(RowsPerStatement))
        {
            await UpsertAsync(db, "ReportSourceDays", ["DomainId", "Day", "SourceIp", "ReporterOrg", "Trusted"],
                ["Records", "Messages", "DmarcPass", "DkimAligned", "SpfAligned", "DkimPass", "SpfPass", "Forwarded", "Quarantine", "Reject"],
                chunk.Select(s => new object[] { s.DomainId, s.Day, s.SourceIp, s.ReporterOrg, s.Trusted,
                    s.Records, s.Messages, s.DmarcPass, s.DkimAligned, s.SpfAligned, s.DkimPass, s.SpfPass, s.Forwarded, s.Quarantine, s.Reject }), ct).ConfigureAwait(false);
        }
        var identities = _identities.Values.OrderBy(s => s.DomainId).ThenBy(s => s.Day).ThenBy(s => s.SourceIp, StringComparer.Ordinal).ThenBy(s => s.Trusted)
            .ThenBy(s => s.DkimDomain, StringComparer.Ordinal).ThenBy(s => s.DkimSelector, StringComparer.Ordinal).ThenBy(s => s.SpfDomain, StringComparer.Ordinal).ToList();
        foreach (var chunk in identities.Chunk(RowsPerStatement))
        {
            await UpsertAsync(db, "ReportIdentityDays", ["DomainId", "Day", "SourceIp", "Trusted", "DkimDomain", "DkimSelector", "SpfDomain"],
                ["Records", "Messages", "DkimPassRecords", "SpfPassRecords"],
                chunk.Select(s => new object[] { s.DomainId, s.Day, s.SourceIp, s.Trusted, s.DkimDomain, s.DkimSelector, s.SpfDomain,
                    s.Records, s.Messages, s.DkimPassRecords, s.SpfPassRecords }), ct).ConfigureAwait(false);
        }
        if (_subtracted)
        {
            foreach (var (domainId, day) in sources.Select(s => (s.DomainId, s.Day)).Distinct())
            {
                await db.ReportSourceDays.Where(r => r.DomainId == domainId && r.Day == day && r.Records <= 0).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                await db.ReportIdentityDays.Where(r => r.DomainId == domainId && r.Day == day && r.Records <= 0).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            }
        }
        _sources.Clear();
        _identities.Clear();
        _subtracted = false;
    }

    private static async Task UpsertAsync(SenderAuthDb db, string table, string[] keys, string[] sums, IEnumerable<object[]> rows, CancellationToken ct)
    {
        var sql = new StringBuilder();
        sql.Append("INSERT INTO \"").Append(table).Append("\" (").AppendJoin(", ", keys.Concat(sums).Select(c => $"\"{c}\"")).Append(") VALUES ");
        var args = new List<object>();
        foreach (var row in rows)
        {
            sql.Append(args.Count == 0 ? "(" : ", (");
            for (var c = 0; c < row.Length; c++)
            {
                sql.Append(c == 0 ? "" : ", ").Append('{').Append(args.Count).Append('}');
                args.Add(row[c]);
            }
            sql.Append(')');
        }
        sql.Append(" ON CONFLICT (").AppendJoin(", ", keys.Select(c => $"\"{c}\"")).Append(") DO UPDATE SET ")
            .AppendJoin(", ", sums.Select(c => $"\"{c}\" = \"{table}\".\"{c}\" + excluded.\"{c}\""));
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), args, ct).ConfigureAwait(false);
    }
}
