#!/usr/bin/env python3
"""Writes a corpus of DMARC aggregate reports for the import bench (bench/run row_report_import).

usage: report_corpus.py OUT_DIR DOMAIN REPORTS RECORDS

REPORTS daily reports (.xml.gz, named as reporters name them: org!domain!begin!end.xml.gz) from five reporters in
turn, each with RECORDS records: source IPs spread over a /16 of documentation-like space, counts 1-500, a mix of
aligned, forwarded (DKIM pass, SPF fail) and failing rows. Deterministic (seeded), so runs compare.
"""
import gzip
import os
import random
import sys

out, domain, reports, records = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
rng = random.Random(7489)
orgs = ["google.com", "outlook.com", "yahoo.com", "mail.ru", "comcast.net"]
start = 1767225600  # 2026-01-01T00:00:00Z
for i in range(reports):
    org = orgs[i % len(orgs)]
    begin = start + (i // len(orgs)) * 86400
    end = begin + 86399
    rows = []
    for _ in range(records):
        ip = f"10.{rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        kind = rng.random()
        dkim, spf = ("pass", "pass") if kind < 0.8 else ("pass", "fail") if kind < 0.9 else ("fail", "fail")
        disp = "none" if dkim == "pass" or spf == "pass" else "quarantine"
        rows.append(
            f"<record><row><source_ip>{ip}</source_ip><count>{rng.randrange(1, 501)}</count><policy_evaluated>"
            f"<disposition>{disp}</disposition><dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated></row>"
            f"<identifiers><header_from>{domain}</header_from><envelope_from>{domain}</envelope_from></identifiers>"
            f"<auth_results><dkim><domain>{domain}</domain><selector>stxsel1</selector><result>{dkim}</result></dkim>"
            f"<spf><domain>{domain}</domain><scope>mfrom</scope><result>{spf}</result></spf></auth_results></record>\n")
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata><org_name>{org}</org_name>'
           f"<email>noreply-dmarc@{org}</email><report_id>bench-{i}-{org}</report_id>"
           f"<date_range><begin>{begin}</begin><end>{end}</end></date_range></report_metadata>"
           f"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>\n"
           + "".join(rows) + "</feedback>\n")
    with gzip.open(os.path.join(out, f"{org}!{domain}!{begin}!{end}.xml.gz"), "wb", compresslevel=6) as f:
        f.write(xml.encode())
