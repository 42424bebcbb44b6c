#!/usr/bin/env python3
"""Writes the zone of row_monitor (bench/run): sender domains sNNNNN.example spread over institutions iNNN, each
with the records the server asks its institution to publish (the layout of bench/server/mosamuseum.com.zone).

    monitor_zone.py OUTDIR DOMAINS INSTITUTIONS

One zone, example., holds every domain as a child name: one file for Knot to load instead of 10,000 zones, and
each sNNNNN.example is still its own organizational domain (example is not a public suffix, so the PSL's default
rule makes the TLD the suffix). Domain n belongs to institution n // (DOMAINS / INSTITUTIONS); key targets are
per institution code, so the provider zone holds 2 keys per institution, not per domain.
Also writes OUTDIR/domains.tsv (code, domain), the onboarding list.
"""
import os
import sys

out, domains, institutions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if domains % institutions:
    sys.exit("DOMAINS must be a multiple of INSTITUTIONS")
per = domains // institutions
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "example.zone"), "w") as z, open(os.path.join(out, "domains.tsv"), "w") as t:
    z.write("$ORIGIN example.\n$TTL 300\n")
    # knot.sh waits for an SOA answer naming hostmaster.
    z.write("@ IN SOA ns.example. hostmaster.example. 2026112501 3600 600 86400 60\n@ IN NS ns.example.\nns IN A 127.0.0.1\n")
    for n in range(domains):
        code, name = f"i{n // per:03d}", f"s{n:05d}"
        t.write(f"{code}\t{name}.example\n")
        z.write(f'{name} IN TXT "v=spf1 include:spf.ticketing.example ~all"\n')
        z.write(f"stxsel1._domainkey.{name} IN CNAME sel1-{code}._domainkey.dkim.ticketing.example.\n")
        z.write(f"stxsel2._domainkey.{name} IN CNAME sel2-{code}._domainkey.dkim.ticketing.example.\n")
        z.write(f'_dmarc.{name} IN TXT "v=DMARC1; p=none; rua=mailto:{code}@rua.ticketing.example"\n')
