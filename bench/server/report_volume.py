#!/usr/bin/env python3
"""Bench-only: fills a server database with a year of report records for one domain (bench/run row_report_query).

    report_volume.py sqlite DB_PATH DOMAIN RECORDS       writes with Python's sqlite3 (the server may be running: WAL)
    report_volume.py postgres DOMAIN RECORDS             prints the SQL for psql (generate_series)

1,825 reports (365 days x 5 reporters), RECORDS rows spread evenly over them, ~2,000 distinct source IPs, counts
1-50, pass/fail and alignment patterns varied by row number. Importing 10 million rows through the API would time
the importer (its own row, row_report_import), not the summary query this row is about.
"""
import sys

REPORTERS = ["google.com", "outlook.com", "yahoo.com", "mail.ru", "comcast.net"]
DAYS = 365
REPORTS = DAYS * len(REPORTERS)


def select_records(n, day_expr, ip_expr, domain_id_expr):
    # The same shape for both databases; only the date arithmetic and string concatenation differ.
    return f"""SELECT (i % {REPORTS}) + (SELECT min("Id") FROM "Reports" WHERE "PolicyDomain" = :domain), {domain_id_expr}, {day_expr}, {ip_expr},
        1 + i % 50, CASE WHEN i % 97 = 0 THEN 'quarantine' ELSE 'none' END,
        i % 20 <> 0, i % 20 <> 0, i % 3 = 0, i % 20 <> 0, i % 2 = 0, i % 41 = 0,
        :domain, NULL, :domain, 'stxsel1', 'bounce.ticketing.example', NULL"""


# The day totals the importer maintains (ReportDays), rebuilt from the rows written here.
ROLLUP = """INSERT INTO "ReportDays" ("DomainId", "Day", "Reports", "Messages", "DmarcPass", "DkimAligned", "SpfAligned", "DkimPass", "SpfPass", "Quarantine", "Reject")
SELECT "DomainId", "Day", count(DISTINCT "ReportId"), sum("Count"), sum(CASE WHEN "DmarcPass" THEN "Count" ELSE 0 END),
       sum(CASE WHEN "DkimAligned" THEN "Count" ELSE 0 END), sum(CASE WHEN "SpfAligned" THEN "Count" ELSE 0 END),
       sum(CASE WHEN "DkimAuthPass" THEN "Count" ELSE 0 END), sum(CASE WHEN "SpfAuthPass" THEN "Count" ELSE 0 END),
       sum(CASE WHEN "Disposition" = 'quarantine' THEN "Count" ELSE 0 END), sum(CASE WHEN "Disposition" = 'reject' THEN "Count" ELSE 0 END)
FROM "ReportRecords" GROUP BY "DomainId", "Day";"""

COLUMNS = '"ReportId", "DomainId", "Day", "SourceIp", "Count", "Disposition", "DmarcPass", "DkimAligned", "SpfAligned", "DkimAuthPass", "SpfAuthPass", ' \
          '"ForwardHint", "HeaderFrom", "EnvelopeFrom", "DkimDomain", "DkimSelector", "SpfDomain", "Reasons"'


def sqlite(path, domain, n):
    import sqlite3
    db = sqlite3.connect(path, timeout=60)
    domain_id, inst = db.execute('SELECT "Id", "InstitutionId" FROM "Domains" WHERE "Name" = ?', (domain,)).fetchone()
    with db:
        db.executemany('INSERT INTO "Reports" ("ReporterOrg", "ReportId", "DomainId", "InstitutionId", "PolicyDomain", "Begin", "End", "PublishedPolicy", '
                       '"Origin", "ImportedAt", "RecordCount", "MessageCount") VALUES (?, ?, ?, ?, ?, ?, ?, ?, \'bench\', ?, 0, 0)',
                       [(REPORTERS[k % 5], f"bench-{k}", domain_id, inst, domain, f"day {k // 5}", f"day {k // 5}", "p=none", "2026-11-01 00:00:00")
                        for k in range(REPORTS)])
        db.execute('UPDATE "Reports" SET "Begin" = strftime(\'%Y-%m-%d %H:%M:%S\', \'2025-11-01\', \'+\' || CAST(substr("Begin", 5) AS INTEGER) || \' days\'), '
                   '"End" = strftime(\'%Y-%m-%d %H:%M:%S\', \'2025-11-01\', \'+\' || CAST(substr("End", 5) AS INTEGER) || \' days\', \'+86399 seconds\') '
                   'WHERE "Origin" = \'bench\'')
        sql = f'INSERT INTO "ReportRecords" ({COLUMNS}) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1}) ' + select_records(
            n, f"strftime('%Y-%m-%d %H:%M:%S', '2025-11-01', '+' || ((i % {REPORTS}) / 5) || ' days')",
            "'10.' || (i % 251) || '.' || ((i / 251) % 8) || '.1'", str(domain_id)) + " FROM n"
        db.execute(sql.replace(":domain", "'" + domain + "'"))
        db.execute(ROLLUP)
    print(db.execute('SELECT count(*) FROM "ReportRecords" WHERE "DomainId" = ?', (domain_id,)).fetchone()[0])


def postgres(domain, n):
    d = "'" + domain + "'"
    print(f"""\\set ON_ERROR_STOP on
INSERT INTO "Reports" ("ReporterOrg", "ReportId", "DomainId", "InstitutionId", "PolicyDomain", "Begin", "End", "PublishedPolicy", "Origin", "ImportedAt", "RecordCount", "MessageCount")
SELECT (ARRAY{REPORTERS})[k % 5 + 1], 'bench-' || k, d."Id", d."InstitutionId", d."Name", timestamptz '2025-11-01 00:00:00+00' + (k / 5) * interval '1 day',
       timestamptz '2025-11-01 23:59:59+00' + (k / 5) * interval '1 day', 'p=none', 'bench', now(), 0, 0
FROM generate_series(0, {REPORTS - 1}) k, "Domains" d WHERE d."Name" = {d};
INSERT INTO "ReportRecords" ({COLUMNS})
{select_records(n, f"timestamptz '2025-11-01 00:00:00+00' + ((i % {REPORTS}) / 5) * interval '1 day'", "'10.' || (i % 251) || '.' || ((i / 251) % 8) || '.1'", f'(SELECT "Id" FROM "Domains" WHERE "Name" = {d})').replace(":domain", d)}
FROM generate_series(0, {n - 1}) i;
{ROLLUP}
ANALYZE "ReportRecords";
SELECT count(*) FROM "ReportRecords";""")


if sys.argv[1] == "sqlite":
    sqlite(sys.argv[2], sys.argv[3], int(sys.argv[4]))
else:
    postgres(sys.argv[2], int(sys.argv[3]))
