"""Writes a large chained journal for the `journal` bench row: N items across
four vendors, three items per data subject, each a `sent` and an `outcome`
line with evidence, as a finished batch run writes them.

It computes the hash chain itself (docs/ARCHITECTURE.md, "The hash chain")
with hashlib, so `verify` and `report` reading the file clean is also a
cross-check of the chain's specification against a second implementation.

Usage: python3 bench/journal_gen.py N PATH
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid

AT = "2026-12-01T10:00:00.000Z"
DATE = "Tue, 01 Dec 2026 10:00:00 GMT"


def compact(record: dict) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


class Chained:
    """Appends records as chained lines."""

    def __init__(self, out) -> None:
        self.out = out
        self.previous = bytes(32)

    def write(self, record: dict) -> None:
        canonical = compact(record)
        value = hashlib.sha256(self.previous + canonical).digest()
        self.previous = value
        self.out.write(canonical[:-1] + b',"chain":"' + value.hex().encode() + b'"}\n')


def item(i: int) -> dict:
    """The identity of item i: Jumio, HyperVerge, Onfido or Stripe."""
    u = str(uuid.UUID(int=i + 1))
    match i % 4:
        case 0:
            return {"vendor": "jumio", "product": "scan", "region": "eu", "ref": u}
        case 1:
            return {"vendor": "hyperverge", "product": "transaction", "ref": f"HV-{i:09d}"}
        case 2:
            return {"vendor": "onfido", "product": "applicant", "region": "eu", "ref": u}
        case _:
            return {"vendor": "stripe", "product": "verification_session", "ref": f"vs_{i:024d}"}


def outcome(i: int, identity: dict) -> dict:
    """90% deleted, 5% scheduled (Onfido and Stripe), 3% not found, 2% failed."""
    roll = i * 7919 % 100
    evidence = {"date": DATE, "request_id": f"req-{i:010d}"}
    if roll < 2:
        return {"result": "failed", "error": "server", "status": 503, "attempts": 4, "in_doubt": False}
    if roll < 5:
        return {"result": "not_found", "status": 404, "attempts": 1, "evidence": evidence}
    if roll < 10 and identity["vendor"] in ("onfido", "stripe"):
        if identity["vendor"] == "stripe":
            evidence["vendor_status"] = "processing"
            return {"result": "scheduled", "within_secs": 345600, "status": 200, "attempts": 1,
                    "evidence": evidence}
        return {"result": "scheduled", "until": "2026-12-29T10:00:00Z", "status": 204, "attempts": 1,
                "evidence": evidence}
    if identity["vendor"] == "hyperverge":
        evidence["audit_ids"] = [f"audit-{i}"]
        return {"result": "deleted", "confirmed_by": "response", "audits": 1, "status": 200,
                "attempts": 1, "evidence": evidence}
    return {"result": "deleted", "confirmed_by": "response", "audits": 0, "status": 204, "attempts": 1,
            "evidence": evidence}


def main() -> None:
    n, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb", buffering=1 << 20) as out:
        chain = Chained(out)
        chain.write({"event": "header", "format": "idv-delete-journal", "version": 2,
                     "created_at": AT, "chaining": "sha256-v1"})
        chain.write({"event": "run", "run": 1, "at": AT, "tool_version": "bench", "pid": 1,
                     "endpoints": {v: "documented" for v in ("hyperverge", "jumio", "onfido", "stripe")},
                     "custody": {"user": "bench", "host": "bench",
                                 "credentials": {"hyperverge": "0" * 32, "jumio": "1" * 32,
                                                 "onfido": None, "stripe": None}}})
        for i in range(n):
            identity = item(i)
            named = {"pos": i, **identity, "subject": f"customer-{i // 3:07d}"}
            chain.write({"event": "sent", **named, "at": AT})
            chain.write({"event": "outcome", **named, "at": AT, **outcome(i, identity)})
        chain.write({"event": "end", "run": 1, "at": AT, "how": "finished", "items": n})


if __name__ == "__main__":
    main()
