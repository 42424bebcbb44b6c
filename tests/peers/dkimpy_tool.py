#!/usr/bin/python3
"""dkimpy as a DKIM peer for the interop tests; every answer is one JSON line on stdout.

  dkimpy_tool.py probe
  dkimpy_tool.py sign --key KEY.pem --domain D --selector S --algorithm rsa-sha256|ed25519-sha256 --canon H/B MSG
      -> {"ok": true, "signature": "DKIM-Signature: ...\r\n"}  (the field to put in front of MSG)
  dkimpy_tool.py verify --dns DNS.json MSG...
      -> one line per MSG: {"file": MSG, "result": "pass"|"fail", "reason": "..."}

DNS.json maps a name (without trailing dot) to its TXT text. Run with /usr/bin/python3: Debian's dkim and nacl
modules are not visible to other interpreters (e.g. pyenv) that may come first on PATH.
"""
import argparse, base64, json, logging, re, sys

import dkim


def ed25519_seed(pem):
    # dkimpy wants the raw 32-byte seed in base64; a PKCS#8 Ed25519 key ends with OCTET STRING(32) = the seed.
    body = re.search(rb"-----BEGIN PRIVATE KEY-----(.*?)-----END", pem, re.DOTALL)
    der = base64.b64decode(body.group(1)) if body else base64.b64decode(pem)
    return base64.b64encode(der[-32:])


def sign(a):
    with open(a.key, "rb") as f:
        key = f.read()
    if a.algorithm == "ed25519-sha256":
        key = ed25519_seed(key)
    with open(a.message, "rb") as f:
        msg = f.read()
    head, body = a.canon.split("/")
    field = dkim.sign(msg, a.selector.encode(), a.domain.encode(), key,
                      canonicalize=(head.encode(), body.encode()), signature_algorithm=a.algorithm.encode())
    return {"ok": True, "signature": field.decode("ascii")}


class Reasons(logging.Handler):
    """Keeps dkimpy's log lines: verify() only returns a bool, the why is logged."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def verify(a):
    with open(a.dns) as f:
        zone = json.load(f)

    def dnsfunc(name, timeout=5):
        name = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
        txt = zone.get(name)
        return txt.encode() if txt is not None else None

    out = []
    for path in a.messages:
        with open(path, "rb") as f:
            msg = f.read()
        log = logging.getLogger("dkimpy_tool." + str(len(out)))
        log.setLevel(logging.DEBUG)
        log.propagate = False
        reasons = Reasons()
        log.addHandler(reasons)
        try:
            ok = dkim.verify(msg, logger=log, dnsfunc=dnsfunc)
        except Exception as e:  # a crash is a result too: the message did not verify
            ok, reasons.lines = False, reasons.lines + [f"{type(e).__name__}: {e}"]
        out.append({"file": path, "result": "pass" if ok else "fail",
                    "reason": "" if ok else (reasons.lines[-1] if reasons.lines else "")})
    return out


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("probe")
    s = sub.add_parser("sign")
    for opt in ("--key", "--domain", "--selector", "--algorithm", "--canon"):
        s.add_argument(opt, required=True)
    s.add_argument("message")
    v = sub.add_parser("verify")
    v.add_argument("--dns", required=True)
    v.add_argument("messages", nargs="+")
    a = p.parse_args()
    try:
        if a.cmd == "probe":
            import nacl.signing  # noqa: F401  (ed25519 needs it)
            results = [{"ok": True, "peer": "dkimpy", "algorithms": ["rsa-sha256", "ed25519-sha256"]}]
        elif a.cmd == "sign":
            results = [sign(a)]
        else:
            results = verify(a)
    except Exception as e:
        results = [{"ok": False, "error": f"{type(e).__name__}: {e}"}]
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
