// mailauth (Node) as a DKIM peer for the interop tests; every answer is one JSON line on stdout.
//
//   node mailauth_tool.mjs probe
//   node mailauth_tool.mjs sign --key KEY.pem --domain D --selector S --algorithm rsa-sha256|ed25519-sha256 --canon H/B MSG
//       -> {"ok": true, "signature": "DKIM-Signature: ...\r\n"}
//   node mailauth_tool.mjs verify --dns DNS.json MSG...
//       -> one line per MSG: {"file", "result": "pass"|"fail"|"neutral"|..., "reason"}
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

async function verify(o) {
    const { dkimVerify } = require('mailauth/lib/dkim/verify');
    const zone = JSON.parse(readFileSync(o.dns, 'utf8'));
    // mailauth's resolver contract: TXT answers as arrays of strings; absence as an error with a DNS code.
    const resolver = async (name, type) => {
        const txt = zone[name.replace(/\.$/, '').toLowerCase()];
        if (type !== 'TXT' || txt === undefined) {
            const e = new Error(`no ${type} for ${name}`);
            e.code = 'ENOTFOUND';
            throw e;
        }
        return [[txt]];
    };
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

const [cmd, ...rest] = process.argv.slice(2);
const o = parse(rest);
let results;
try {
    if (cmd === 'probe') {
        const version = require('mailauth/package.json').version;
        require('mailauth/lib/dkim/verify');
        results = [{ ok: true, peer: 'mailauth', version, algorithms: ['rsa-sha256', 'ed25519-sha256'] }];
    } else if (cmd === 'sign') results = await sign(o);
    else if (cmd === 'verify') results = await verify(o);
    else results = [{ ok: false, error: `unknown command ${cmd}` }];
} catch (e) {
    results = [{ ok: false, error: `${e.code || e.name}: ${e.message.split("\n")[0]}` }];  // first line: no require stack
}
for (const r of results) console.log(JSON.stringify(r));
