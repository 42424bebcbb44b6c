#!/usr/bin/env python3
"""Writes the reporter-shaped corpus and manifest.json next to this script.

Every file is synthetic: element order, namespaces, file names, compression and mail envelopes follow the public
formats (RFC 7489 Appendix C, RFC 9990, RFC 7489 section 7.2.1.1 naming) and the shapes the big mailbox providers
are publicly documented or widely observed to send; addresses are RFC 5737 / RFC 3849 documentation ranges and the
policy domain is corpus.example. The totals in manifest.json are counted here, while writing, never by the code
under test. Deterministic: run it again and the same bytes come out (fixed gzip mtime, fixed zip dates).
"""
import base64, gzip, io, json, os, random, zipfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "corpus.example"
DAY = 1793491200  # 2026-11-01T00:00:00Z
END = DAY + 86399
manifest = []


class Row:
    def __init__(self, ip, count, dkim="pass", spf="pass", disposition="none", dkim_auth=None, spf_auth=None, reason=None):
        self.ip, self.count, self.dkim, self.spf, self.disposition = ip, count, dkim, spf, disposition
        self.dkim_auth = dkim_auth if dkim_auth is not None else [(DOMAIN, "s2026", "pass" if dkim == "pass" else "fail")]
        self.spf_auth = spf_auth if spf_auth is not None else [(DOMAIN, "pass" if spf == "pass" else "softfail")]
        self.reason = reason

    @property
    def passes(self):
        return self.dkim.lower() == "pass" or self.spf.lower() == "pass"


STANDARD = [
    Row("198.51.100.10", 120),
    Row("203.0.113.66", 7, "fail", "fail", "quarantine", dkim_auth=[], spf_auth=[("spoof.example", "fail")]),
    Row("2001:db8:4860::1a", 3, "pass", "fail", reason=("forwarded", "looks forwarded")),
]


def record(r, ns="", selector=True, scope=False, order="7489"):
    dk = "".join(f"<dkim><domain>{d}</domain>{f'<selector>{s}</selector>' if selector else ''}<result>{res}</result></dkim>" for d, s, res in r.dkim_auth)
    sp = "".join(f"<spf><domain>{d}</domain>{'<scope>mfrom</scope>' if scope else ''}<result>{res}</result></spf>" for d, res in r.spf_auth)
    reason = f"<reason><type>{r.reason[0]}</type><comment>{r.reason[1]}</comment></reason>" if r.reason else ""
    return (f"\n  <record>\n    <row>\n      <source_ip>{r.ip}</source_ip>\n      <count>{r.count}</count>\n      <policy_evaluated>\n"
            f"        <disposition>{r.disposition}</disposition>\n        <dkim>{r.dkim}</dkim>\n        <spf>{r.spf}</spf>{reason}\n"
            f"      </policy_evaluated>\n    </row>\n    <identifiers>\n      <header_from>{DOMAIN}</header_from>\n    </identifiers>\n"
            f"    <auth_results>{dk}{sp}</auth_results>\n  </record>")


def report(org, rid, rows, email=None, head='<?xml version="1.0" encoding="UTF-8" ?>\n', root="<feedback>", version="",
           extra="", policy=None, begin=DAY, end=END, scope=False, metadata_extra="", tail="\n</feedback>\n"):
    email = f"<email>{email}</email>" if email is not None else f"<email>noreply-dmarc@{org}</email>"
    org_el = f"<org_name>{org}</org_name>" if org is not None else ""
    policy = policy or f"<domain>{DOMAIN}</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct>"
    body = "".join(record(r, scope=scope) for r in rows)
    return (f"{head}{root}\n{version}  <report_metadata>\n    {org_el}\n    {email}\n    {extra}<report_id>{rid}</report_id>\n"
            f"    <date_range>\n      <begin>{begin}</begin>\n      <end>{end}</end>\n    </date_range>{metadata_extra}\n  </report_metadata>\n"
            f"  <policy_published>{policy}</policy_published>{body}{tail}")


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
        g.write(data)
    return out.getvalue()


def zipped(name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name, date_time=(2026, 11, 2, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    return out.getvalue()


def mail(sender, subject, parts, text="This is an aggregate report from the reporter above.\r\n"):
    """parts: (content_type, filename or None, bytes). Base64 as reporters send, CRLF line ends."""
    b = "==corpus-boundary-1=="
    out = [f"From: DMARC reports <{sender}>", "To: rua@rua.ticketing.example", f"Subject: {subject}",
           "Date: Mon, 02 Nov 2026 04:05:06 +0000", f"Message-ID: <{zlib.crc32(subject.encode())}@corpus.example>", "MIME-Version: 1.0",
           f'Content-Type: multipart/mixed; boundary="{b}"', "", f"--{b}", "Content-Type: text/plain; charset=us-ascii", "", text.rstrip("\r\n")]
    for ctype, name, data in parts:
        out.append(f"--{b}")
        out.append(f'Content-Type: {ctype}' + (f'; name="{name}"' if name else ""))
        out.append("Content-Transfer-Encoding: base64")
        if name:
            out.append(f'Content-Disposition: attachment; filename="{name}"')
        out.append("")
        enc = base64.b64encode(data).decode()
        out.extend(enc[i:i + 76] for i in range(0, len(enc), 76))
    out.append(f"--{b}--")
    out.append("")
    return "\r\n".join(out).encode()


def totals(org, rid, rows):
    return {"org": org, "reportId": rid, "records": len(rows), "messages": sum(r.count for r in rows),
            "dmarcPass": sum(r.count for r in rows if r.passes)}


def write(name, data, reports, warnings, shape, status="imported", error=None):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    entry = {"file": name, "status": status, "shape": shape}
    if status == "imported":
        entry["reports"] = reports
        entry["warnings"] = sorted(set(warnings))
    else:
        entry["error"] = error
    manifest.append(entry)


def fn(org, rid=None, ext=".xml"):
    return f"{org}!{DOMAIN}!{DAY}!{END}" + (f"!{rid}" if rid else "") + ext


# ---- mainstream shapes ----------------------------------------------------------------------------------------
x = report("google.com", "17930000000000000001", STANDARD, email="noreply-dmarc-support@google.com",
           extra="<extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>\n    ",
           policy=f"<domain>{DOMAIN}</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct><np>quarantine</np>")
write(fn("google.com", ext=".zip"), zipped(fn("google.com"), x.encode()), [totals("google.com", "17930000000000000001", STANDARD)], [],
      "Google: zip with one entry named receiver!domain!begin!end.xml, no namespace, extra_contact_info, np")
x = report("google.com", "17930000000000000002", STANDARD, email="noreply-dmarc-support@google.com")
write("google-zip-in-mail.eml", mail("noreply-dmarc-support@google.com", f"Report domain: {DOMAIN} Submitter: google.com Report-ID: 17930000000000000002",
      [("application/zip", fn("google.com", ext=".zip"), zipped(fn("google.com"), x.encode()))]),
      [totals("google.com", "17930000000000000002", STANDARD)], [], "Google's mail: multipart/mixed, base64 application/zip")

outlook_rows = [Row("198.51.100.11", 40), Row("192.0.2.50", 5, "pass", "fail", dkim_auth=[(DOMAIN, "s2026", "pass")], spf_auth=[("lists.example", "pass")])]
x = report("Enterprise Outlook", "c0ffee0000000000000000000000000a", outlook_rows, email="dmarcreport@microsoft.com",
           head='<?xml version="1.0"?>\n', root='<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
           version="  <version>1.0</version>\n", policy=f"<domain>{DOMAIN}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct><fo>0</fo>",
           scope=True)
write(fn("enterprise.protection.outlook.com", ext=".xml.gz"), gz(x.encode()), [totals("Enterprise Outlook", "c0ffee0000000000000000000000000a", outlook_rows)], [],
      "Microsoft 365: gzip, xsd/xsi declarations, version 1.0, fo, SPF scope mfrom")
x = report("Outlook.com", "c0ffee0000000000000000000000000b", outlook_rows, email="dmarcreport@microsoft.com",
           root='<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">', version="  <version>1.0</version>\n")
write("outlook-com-gzip-in-mail.eml", mail("dmarcreport@microsoft.com", f"Report Domain: {DOMAIN} Submitter: outlook.com",
      [("application/gzip", fn("protection.outlook.com", ext=".xml.gz"), gz(x.encode()))]),
      [totals("Outlook.com", "c0ffee0000000000000000000000000b", outlook_rows)], [], "Outlook.com consumer mail: base64 application/gzip")

yahoo_rows = [Row("198.51.100.12", 31), Row("203.0.113.99", 2, "fail", "fail", "none", dkim_auth=[("spam.example", "sel", "fail")], spf_auth=[("spam.example", "neutral")])]
x = report("Yahoo", "1793491200.532147", yahoo_rows, email="dmarchelp@yahooinc.com", head='<?xml version="1.0"?>\n')
write("yahoo-gzip-in-mail.eml", mail("noreply@dmarc.yahoo.com", f"Report Domain: {DOMAIN} Submitter: yahoo.com Report-ID: <1793491200.532147>",
      [("application/gzip", fn("yahoo.com", ext=".xml.gz"), gz(x.encode()))]),
      [totals("Yahoo", "1793491200.532147", yahoo_rows)], [], "Yahoo: org_name Yahoo, dotted report id, gzip in mail")

fast_rows = [Row("198.51.100.13", 9)]
x = report("Fastmail Pty Ltd", "fm-2026-11-01-corpus", fast_rows, email="dmarc-reports@fastmail.example",
           root='<feedback xmlns="http://dmarc.org/dmarc-xml/0.1">', version="  <version>1.0</version>\n")
write(fn("fastmail.com", ext=".xml.gz"), gz(x.encode()), [totals("Fastmail Pty Ltd", "fm-2026-11-01-corpus", fast_rows)], [],
      "Fastmail: RFC 7489 Appendix C namespace http://dmarc.org/dmarc-xml/0.1, gzip")

mc_rows = [Row("198.51.100.14", 17), Row("192.0.2.77", 1, "fail", "fail", "reject", dkim_auth=[], spf_auth=[("other.example", "fail")])]
x = report("Mimecast", "mc-corpus-0001", mc_rows, email="dmarc-reports@mimecast.example")
write("mimecast-gzip-trailing-bytes.eml", mail("dmarc-reports@mimecast.example", f"DMARC Aggregate Report for {DOMAIN}",
      [("application/gzip", fn("mimecast.org", ext=".xml.gz"), gz(x.encode()) + b"\r\n\x00\x00\x00\x00")]),
      [totals("Mimecast", "mc-corpus-0001", mc_rows)], ["trailing-bytes-after-gzip"],
      "Mimecast: gzip in mail followed by a line break and padding after the member")

zoho_rows = [Row("198.51.100.15", 4), Row("198.51.100.16", 6, "fail", "pass", spf_auth=[(DOMAIN, "pass")], dkim_auth=[(DOMAIN, "zm", "fail")])]
x = report("Zoho Corporation", "zoho-corpus-77", zoho_rows, email="noreply-dmarc@zoho.example")
write(fn("zoho.com", "zoho-corpus-77", ".zip"), zipped(fn("zoho.com", "zoho-corpus-77"), x.encode()),
      [totals("Zoho Corporation", "zoho-corpus-77", zoho_rows)], [], "Zoho: zip, file name with the unique-id field of RFC 7489 7.2.1.1")

rng = random.Random(2286)
big = []
for i in range(2286):
    ip = f"198.18.{i // 250}.{i % 250 + 1}"
    ok = rng.random() < 0.8
    big.append(Row(ip, rng.randint(1, 40), "pass" if ok else "fail", "pass" if ok and rng.random() < 0.7 else "fail",
                   "none" if ok else rng.choice(["none", "quarantine"])))
x = report("big-receiver.example", "big-2286", big)
write(fn("big-receiver.example", ext=".xml.gz"), gz(x.encode()), [totals("big-receiver.example", "big-2286", big)], [],
      "a large receiver: 2,286 records in one gzip report")

r9990 = [Row("198.51.100.17", 11, disposition="pass"), Row("203.0.113.8", 2, "fail", "fail", "none", dkim_auth=[], spf_auth=[("bad.example", "fail")],
                                                             reason=("policy_test_mode", "t=y"))]
x = report("receiver.example", "rfc9990-corpus-1", r9990, root='<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">', version="  <version>2.0</version>\n",
           metadata_extra="\n    <generator>Example MTA 3.1</generator>",
           policy=f"<domain>{DOMAIN}</domain><p>reject</p><sp>reject</sp><np>reject</np><adkim>s</adkim><aspf>r</aspf><testing>y</testing><discovery_method>treewalk</discovery_method>",
           scope=True)
write(fn("receiver.example"), x.encode(), [totals("receiver.example", "rfc9990-corpus-1", r9990)], [],
      "RFC 9990: urn:ietf:params:xml:ns:dmarc-2.0, version 2.0, generator, np, testing, discovery_method, disposition pass, policy_test_mode")

# ---- one per quirk -----------------------------------------------------------------------------------------------
one = [Row("198.51.100.20", 5)]
x = report("", "q-empty-org", one, email="dmarc@reports.quirk.example")
write("quirk-empty-org-name.xml", x.encode(), [totals("reports.quirk.example", "q-empty-org", one)], ["missing-org-name"],
      "<org_name></org_name>: the domain of <email> is the reporter")
x = report(None, "q-no-org", one, email="")
write(fn("filename-reporter.example", ext=".xml"), x.replace("<email></email>", "").encode(),
      [totals("filename-reporter.example", "q-no-org", one)], ["missing-org-name", "missing-element"],
      "no org_name and no email: the reporter field of the RFC 7489 file name")
x = report("wrapped.example", "q-wrapper", one, head='<?xml version="1.0" encoding="UTF-8"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n',
           tail="\n</feedback>\n</xs:schema>\n")
write("quirk-xs-schema-wrapper.xml", x.encode(), [totals("wrapped.example", "q-wrapper", one)], ["wrapper-element"],
      "the report wrapped in an <xs:schema> root")
x = report("lt.example", "q-lt", one, email="<bad-xml@lt.example>")
write("quirk-unescaped-lt.xml", x.encode(), [totals("lt.example", "q-lt", one)], ["unescaped-lt"],
      "<email><bad-xml@lt.example></email>: '<' that starts no tag")
x = report("amp.example", "q-amp", one, extra="<extra_contact_info>https://amp.example/dmarc?lang=en&id=7</extra_contact_info>\n    ")
write("quirk-unescaped-ampersand.xml", x.encode(), [totals("amp.example", "q-amp", one)], ["unescaped-ampersand"],
      "a bare '&' in a URL inside extra_contact_info")
x = report("M\xfcller Mail GmbH", "q-latin1", one, email="dmarc@mueller.example")
write("quirk-invalid-utf8.xml", x.encode("latin-1"), [totals("M\ufffdller Mail GmbH", "q-latin1", one)], ["invalid-utf8"],
      "a Latin-1 byte (0xFC) in a document declared UTF-8")
legacy = [Row("198.51.100.21", 3, "Pass", "fail", "None", dkim_auth=[(DOMAIN, "s1", "Pass")], spf_auth=[(DOMAIN, "SoftFail")]),
          Row("198.51.100.22", 2, "fail", "fail", dkim_auth=[(DOMAIN, "s1", "hardfail")], spf_auth=[(DOMAIN, "unknown"), (DOMAIN, "error")])]
x = report("ctl.example", "q-ctl", one, extra="<extra_contact_info>call\x0bus\x0c</extra_contact_info>\n    ")
write("quirk-control-characters.xml", x.encode(), [totals("ctl.example", "q-ctl", one)], ["invalid-xml-character"],
      "a vertical tab and a form feed (pasted from a terminal) in extra_contact_info")
x = report("legacy.example", "q-legacy", legacy, policy=f"<domain>{DOMAIN}</domain><adkim>relaxed</adkim><aspf>r</aspf><p>none</p>")
write("quirk-legacy-result-words.xml", x.encode(), [totals("legacy.example", "q-legacy", legacy)], ["token-case", "legacy-token"],
      "Pass/None/SoftFail in capitals; hardfail, unknown, error and relaxed from older reporters")
x = report("sparse.example", "q-sparse", one).replace("<disposition>none</disposition>", "").replace(f"<header_from>{DOMAIN}</header_from>", "")
x = x.replace("<email>noreply-dmarc@sparse.example</email>", "")
write("quirk-missing-optional-elements.xml", x.encode(), [totals("sparse.example", "q-sparse", one)], ["missing-element"],
      "no email, no disposition, no header_from")
x = report("pad.example", "q-pad", one)
write("quirk-trailing-bytes-after-root.xml", x.encode() + b"\x00" * 64 + b"garbage", [totals("pad.example", "q-pad", one)], ["trailing-bytes-after-root"],
      "NUL padding and stray text after </feedback>")
x = report("bom.example", "q-bom", one)
write("quirk-double-bom.xml", b"\xef\xbb\xbf\xef\xbb\xbf" + x.encode(), [totals("bom.example", "q-bom", one)], ["byte-order-mark"],
      "two UTF-8 byte-order marks before the declaration")
x = report("ws.example", "q-ws", one)
write("quirk-whitespace-before-declaration.xml", b"\r\n  " + x.encode(), [totals("ws.example", "q-ws", one)], ["leading-whitespace"],
      "a blank line before <?xml ...?>")
x = report("reversed.example", "q-reversed", one, begin=END, end=DAY)
write("quirk-date-range-reversed.xml", x.encode(), [totals("reversed.example", "q-reversed", one)], ["date-range-reversed"],
      "date_range begin after end")
x = report("ms.example", "q-ms", one, begin=DAY * 1000, end=END * 1000 + 999)
write("quirk-date-range-milliseconds.xml", x.encode(), [totals("ms.example", "q-ms", one)], ["date-range-milliseconds"],
      "date_range in milliseconds")
x = report("frac.example", "q-frac", one).replace(f"<begin>{DAY}</begin>", f"<begin>{DAY}.0</begin>")
write("quirk-timestamp-fraction.xml", x.encode(), [totals("frac.example", "q-frac", one)], ["timestamp-fraction"],
      "a timestamp written 1793491200.0")
x = report("gztail.example", "q-gztail", one)
write("quirk-gzip-trailing-bytes.xml.gz", gz(x.encode()) + b"\n", [totals("gztail.example", "q-gztail", one)], ["trailing-bytes-after-gzip"],
      "a gzip file with a newline after its member")
x = report("octet.example", "q-octet", one)
write("quirk-mail-octet-stream.eml", mail("dmarc@octet.example", "Report domain: corpus.example",
      [("application/octet-stream", fn("octet.example", ext=".xml.gz"), gz(x.encode()))]),
      [totals("octet.example", "q-octet", one)], ["attachment-content-type"], "attachment typed application/octet-stream, named .xml.gz")
x = report("noname.example", "q-noname", one)
write("quirk-mail-no-file-name.eml", mail("dmarc@noname.example", "Report domain: corpus.example", [("application/gzip", None, gz(x.encode()))]),
      [totals("noname.example", "q-noname", one)], ["attachment-file-name"], "application/gzip attachment without a file name")
x = report("sniff.example", "q-sniff", one)
write("quirk-mail-sniffed.eml", mail("dmarc@sniff.example", "Report domain: corpus.example", [("application/octet-stream", None, zipped("report.xml", x.encode()))]),
      [totals("sniff.example", "q-sniff", one)], ["attachment-sniffed"], "application/octet-stream without a name: found by its bytes (a zip)")
x = report("mismatch.example", "q-mismatch", one)
write("quirk-mail-zip-named-gz.eml", mail("dmarc@mismatch.example", "Report domain: corpus.example",
      [("application/gzip", fn("mismatch.example", ext=".xml.gz"), zipped("report.xml", x.encode()))]),
      [totals("mismatch.example", "q-mismatch", one)], ["attachment-type-mismatch"], "a zip sent as application/gzip named .xml.gz")
x = report("", "q-sender", one, email="")
write("quirk-mail-org-from-sender.eml", mail("dmarc@sender-only.example", "Report domain: corpus.example",
      [("text/xml", "report.xml", x.replace("<email></email>", "").encode())]),
      [totals("sender-only.example", "q-sender", one)], ["missing-org-name", "missing-element"],
      "no org_name, no email, an attachment name without reporter: the mail's From domain")

# ---- still refused ---------------------------------------------------------------------------------------------------
x = report("dtd.example", "r-dtd", one, head='<?xml version="1.0"?>\n<!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa">]>\n')
write("refused-doctype.xml", x.encode(), [], [], "a DOCTYPE with an entity: never expanded, refused", "quarantined", "dtd-prohibited")
x = report("ambiguous.example", "r-ambiguous", one, email="<user.name>")
write("refused-tag-shaped-text.xml", x.encode(), [], [], "<email><user.name></email>: a well-formed start tag inside a text field; an element or text? Refused",
      "quarantined", "invalid-value")
x = report(None, "r-anonymous", one, email="")
write("refused-anonymous.xml", x.replace("<email></email>", "").encode(), [], [], "no org_name, no email, no reporter in the name: not attributable",
      "quarantined", "missing-element")

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(manifest)} files")
