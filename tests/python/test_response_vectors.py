"""Every answer of tests/vectors/responses.json through the sans-IO pair.

``idv_delete.parse_response`` reads one attempt, without the history of
earlier ones and without retry decisions, so each case is checked against
its one-attempt reading: ``one_attempt`` where the vector gives one, else
``expected`` (see the vector file's ``_comment``). A ``"scheduled"`` outcome
must be a ``Scheduled``, never a ``Deleted``, and the reverse. ``retry``,
``uncertain_before`` and ``confirmed_by == "absence"`` belong to the
multi-attempt op, which Python does not expose; the Rust test checks them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest

import idv_delete

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "responses.json"
CASES: List[Dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


def one_attempt(case: Dict[str, Any]) -> Dict[str, Any]:
    """What parse_response alone must give for `case`."""
    reading = dict(case["expected"])
    reading.update(case.get("one_attempt", {}))
    return reading


def request_for(case: Dict[str, Any]) -> idv_delete.Request:
    """The request of `case`'s item, from a client of its vendor (the answer
    is read for that item)."""
    vendor, reference = case["vendor"], case["reference"]
    if vendor == "jumio":
        client = idv_delete.Jumio(
            "token", "secret", user_agent="Acme KYC-Cleaner/1.0", region=case["region"]
        )
        return client.build_request(reference, product=case["product"])
    if vendor == "hyperverge":
        return idv_delete.HyperVerge("app-id", "app-key").build_request(reference)
    if vendor == "onfido":
        onfido = idv_delete.Onfido("onfido-token", region=case["region"])
        return onfido.build_request(reference, product=case["product"])
    if vendor == "persona":
        persona = idv_delete.Persona("persona-key")
        return persona.build_request(reference, product=case["product"])
    if vendor == "stripe":
        stripe = idv_delete.Stripe("sk_test_key")
        return stripe.build_request(reference, product=case["product"])
    assert vendor == "veriff", f"{case['name']}: no client for {vendor}"
    veriff = idv_delete.Veriff("veriff-key", "veriff-secret")
    return veriff.build_request(reference, product=case["product"])


# How many vectors each vendor has: a vendor this test no longer reads, or a
# vector dropped from the file, fails here (the Rust and C readers count too).
COUNTS = {"jumio": 42, "hyperverge": 23, "onfido": 15, "persona": 14, "stripe": 14, "veriff": 14}


def test_every_vendor_has_its_vectors() -> None:
    assert Counter(case["vendor"] for case in CASES) == COUNTS


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_response_vector(case: Dict[str, Any]) -> None:
    want = one_attempt(case)
    request = request_for(case)
    headers = list(case["headers"].items())
    body = case["body"].encode("utf-8")
    if want["outcome"] == "scheduled":
        scheduled = idv_delete.parse_response(request, case["status"], headers, body)
        assert isinstance(scheduled, idv_delete.Scheduled), repr(scheduled)
        assert scheduled.attempts == 1
        assert scheduled.completes
        assert scheduled.vendor_status == want.get("vendor_status")
        assert scheduled.within == want.get("within_secs")
        assert scheduled.until == want.get("until")
        assert scheduled.vendor_message == want.get("vendor_message")
        return
    if want["outcome"] == "deleted":
        deleted = idv_delete.parse_response(request, case["status"], headers, body)
        assert isinstance(deleted, idv_delete.Deleted), repr(deleted)
        assert deleted.confirmed_by == want["confirmed_by"]
        assert deleted.attempts == 1
        assert deleted.vendor_message == want["vendor_message"]
        if "audits" in want:
            assert list(deleted.audits) == want["audits"]
        return
    with pytest.raises(idv_delete.Error) as caught:
        idv_delete.parse_response(request, case["status"], headers, body)
    error = caught.value
    assert error.kind == want["kind"], str(error)
    assert error.in_doubt == want["in_doubt"], str(error)
    assert error.status == case["status"]
    assert error.attempts == 1
    assert error.vendor_message == want["vendor_message"]
    assert error.retry_after == want.get("retry_after_secs")
