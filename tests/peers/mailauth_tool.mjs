// mailauth (Node) as a DKIM peer for the interop tests; every answer is one JSON line on stdout.
//
//   node mailauth_tool.mjs probe
//   node mailauth_tool.mjs sign --key KEY.pem --domain D --selector S --algorithm rsa-sha256|ed25519-sha256 --canon H/B MSG
//       -> {"ok": true, "signature": "DKIM-Signature: ...\r\n"}
//   node mailauth_tool.mjs verify --dns DNS.json MSG...
//       -> one line per MSG: {"file", "result": "pass"|"fail"|"neutral"|..., "reason"}
//   node mailauth_tool.mjs authenticate --dns DNS.json --ip IP --helo HELO --sender ADDR MSG
//       -> {"ok": true, "spf", "spfDomain", "dkim": [{"result", "domain", "selector", "reason"}...],
//           "dmarc": "pass"|"fail"|...|null, "dmarcPolicy", "dmarcPolicyProperty", "dmarcSkipReason", "queries", "header"}
//       mailauth's authenticate() (SPF, every DKIM signature, DMARC), ARC and BIMI left out.
//
// DNS.json maps a name to its records: {"name": {"TXT": ["..." | ["chunk", ...]], "A": ["192.0.2.1"], "AAAA": [...],
// "MX": [{"priority": 10, "exchange": "mx.example"}], "CNAME": "target", "PTR": [...]}}; a plain string is one
// TXT record (the older format). Answers behave like a recursive resolver: CNAMEs are followed for other
// types, a name that exists (or has names below it) without the type is ENODATA, an unknown name ENOTFOUND.
//
// mailauth is installed by run-tests into .tools/node (or $SENDERAUTH_MAILAUTH_DIR), not next to this file,
// so it is loaded with a require rooted there. mailauth reports a body-hash mismatch as "neutral" (as Gmail
// does), so callers treat anything but "pass" as not verified.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.SENDERAUTH_MAILAUTH_DIR || resolve(here, '../../.tools/node');
const require = createRequire(join(nodeDir, 'package.json'));

function parse(argv) {
    const opts = { files: [] };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
        else opts.files.push(argv[i]);
    }
    return opts;
}

async function sign(o) {
    const { dkimSign } = require('mailauth/lib/dkim/sign');
    const res = await dkimSign(readFileSync(o.files[0]), {
        canonicalization: o.canon,
        algorithm: o.algorithm,
        signatureData: [{ signingDomain: o.domain, selector: o.selector, privateKey: readFileSync(o.key), algorithm: o.algorithm, canonicalization: o.canon }]
    });
    if (res.errors?.length) return [{ ok: false, error: JSON.stringify(res.errors) }];
    return [{ ok: true, signature: res.signatures }];
}

function zoneResolver(file, queries = []) {
    const norm = n => String(n).replace(/\.$/, '').toLowerCase();
    const zone = new Map();
    for (const [name, value] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
        zone.set(norm(name), typeof value === 'string' ? { TXT: [[value]] } : value);
    }
    const exists = name => zone.has(name) || [...zone.keys()].some(k => k.endsWith(`.${name}`));
    const fail = (code, name, type) => {
        const e = new Error(`${code} ${type} ${name}`);
        e.code = code;
        return e;
    };
    const shape = (type, values) => {
        const list = [].concat(values);
        if (type === 'TXT') return list.map(t => (Array.isArray(t) ? t : [t]));
        if (type === 'MX') return list.map(m => (typeof m === 'string' ? { priority: Number(m.split(/\s+/)[0]), exchange: m.split(/\s+/)[1] } : m));
        return list;
    };
    return async (name, type) => {
        queries.push(`${type} ${norm(name)}`);
        let n = norm(name);
        for (let hop = 0; hop <= 8; hop++) {
            const records = zone.get(n);
            const values = records?.[type];
            if (values !== undefined && [].concat(values).length > 0) return shape(type, values);
            const cname = type === 'CNAME' ? undefined : records?.CNAME;
            if (cname === undefined) throw fail(exists(n) ? 'ENODATA' : 'ENOTFOUND', n, type);
            n = norm([].concat(cname)[0]);
        }
        throw fail('ESERVFAIL', name, type);
    };
}

async function verify(o) {
    const { dkimVerify } = require('mailauth/lib/dkim/verify');
    const resolver = zoneResolver(o.dns);
    const out = [];
    for (const file of o.files) {
        const res = await dkimVerify(readFileSync(file), { resolver });
        const first = res.results[0];
        out.push(first
            ? { file, result: first.status.result, reason: first.status.comment || '' }
            : { file, result: 'none', reason: 'no signature' });
    }
    return out;
}

async function authenticateMessage(o) {
    const { authenticate } = require('mailauth');
    const queries = [];
    const res = await authenticate(readFileSync(o.files[0]), {
        ip: o.ip,
        helo: o.helo,
        sender: o.sender,
        mta: o.mta || 'mx.receiver.test',
        resolver: zoneResolver(o.dns, queries),
        disableArc: true,
        disableBimi: true,
    });
    return [{
        ok: true,
        spf: res.spf?.status?.result ?? null,
        spfDomain: res.spf?.domain ?? null,
        dkim: (res.dkim?.results || []).map(r => ({
            result: r.status.result,
            domain: r.signingDomain ?? null,
            selector: r.selector ?? null,
            reason: r.status.comment || '',
        })),
        dmarc: res.dmarc ? res.dmarc.status.result : null,
        dmarcPolicy: res.dmarc?.policy ?? null,
        dmarcPolicyProperty: res.dmarc?.status?.policy?.dmarc ?? null,
        dmarcSkipReason: res.dmarcSkipReason ?? null,
        queries,
        header: res.headers,
    }];
}

const [cmd, ...rest] = process.argv.slice(2);
const o = parse(rest);
let results;
try {
    if (cmd === 'probe') {
        const version = require('mailauth/package.json').version;
        require('mailauth/lib/dkim/verify');
        require('mailauth');
        results = [{ ok: true, peer: 'mailauth', version, algorithms: ['rsa-sha256', 'ed25519-sha256'], commands: ['sign', 'verify', 'authenticate'] }];
    } else if (cmd === 'sign') results = await sign(o);
    else if (cmd === 'verify') results = await verify(o);
    else if (cmd === 'authenticate') results = await authenticateMessage(o);
    else results = [{ ok: false, error: `unknown command ${cmd}` }];
} catch (e) {
    results = [{ ok: false, error: `${e.code || e.name}: ${e.message.split("\n")[0]}` }];  // first line: no require stack
}
for (const r of results) console.log(JSON.stringify(r));
