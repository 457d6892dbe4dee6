"""Onfido, Persona, Stripe Identity and Veriff through Python, against the
emulator with short delays: an accepted erasure is ``Scheduled``, never
``Deleted``; ``recheck`` after the vendor's delay confirms it (``Deleted``
with ``confirmed_by == "recheck"``; Veriff offers no read: ``None``); a
record the vendor will not delete yet raises ``NotDeletableYetError`` after
one request; a batch counts scheduled items apart and its journal keeps
them.

One table (`CASES`) drives every test, so each vendor runs the same checks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import idv_delete
from idv_delete.testing import (
    ONFIDO_API_TOKEN,
    PERSONA_API_KEY,
    PERSONA_READ_ONLY_KEY,
    STRIPE_SECRET_KEY,
    VERIFF_API_KEY,
    VERIFF_SHARED_SECRET,
    Emulator,
)

#: The emulator's delay before Onfido, Persona and Stripe complete an erasure.
DELAY = 0.5


@dataclass(frozen=True)
class Case:
    """One vendor's product: how to build its client, delete one id, and
    what its ``Scheduled`` says."""

    name: str
    #: Builds the client for a base URL (and keyword settings).
    client: Callable[..., Any]
    #: The single-deletion method.
    delete: str
    #: The product, as the emulator, ``delete_many`` and ``recheck`` name it.
    product: idv_delete.Product
    #: A fresh id of this product.
    new_id: Callable[[], str]
    #: ``Scheduled.within`` (seconds) and ``vendor_status`` of a deletion.
    within: Optional[float] = None
    vendor_status: Optional[str] = None
    #: Whether the vendor offers a read (all but Veriff).
    rechecks: bool = True


def _uuid() -> str:
    return str(uuid.uuid4())


def _prefixed(prefix: str) -> Callable[[], str]:
    return lambda: prefix + uuid.uuid4().hex


CASES = [
    Case(
        "onfido",
        lambda url, **o: idv_delete.Onfido(ONFIDO_API_TOKEN, region="us", base_url=url, **o),
        "delete_applicant",
        "applicant",
        _uuid,
    ),
    Case(
        "persona-inquiry",
        lambda url, **o: idv_delete.Persona(PERSONA_API_KEY, base_url=url, **o),
        "delete_inquiry",
        "inquiry",
        _prefixed("inq_"),
    ),
    Case(
        "persona-account",
        lambda url, **o: idv_delete.Persona(PERSONA_API_KEY, base_url=url, **o),
        "delete_account",
        "account",
        _prefixed("act_"),
    ),
    Case(
        "stripe",
        lambda url, **o: idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=url, **o),
        "delete_verification_session",
        "verification_session",
        _prefixed("vs_"),
        within=4 * 24 * 3600.0,
        vendor_status="processing",
    ),
    Case(
        "veriff",
        lambda url, **o: idv_delete.Veriff(VERIFF_API_KEY, VERIFF_SHARED_SECRET, base_url=url, **o),
        "delete_session",
        "session",
        _uuid,
        within=12 * 3600.0,
        rechecks=False,
    ),
]
BY_NAME: Dict[str, Case] = {case.name: case for case in CASES}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(
        onfido_deletion_delay=DELAY,
        persona_children_delay=DELAY,
        stripe_redaction_delay=DELAY,
    ) as emulator:
        yield emulator


def delete_requests(emulator: Emulator) -> int:
    """Requests on the vendors' delete routes (the reads end in ``/read``)."""
    return sum(
        sum(statuses.values())
        for route, statuses in emulator.stats().requests.items()
        if not route.endswith("/read")
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_accepted_erasure_is_scheduled_and_a_recheck_confirms_it(
    emulator: Emulator, case: Case
) -> None:
    client = case.client(emulator.base_url)
    reference = case.new_id()
    emulator.seed(case.product, [reference])
    scheduled = getattr(client, case.delete)(reference)
    assert isinstance(scheduled, idv_delete.Scheduled), repr(scheduled)
    assert not isinstance(scheduled, idv_delete.Deleted)
    assert scheduled.completes
    assert (scheduled.within, scheduled.vendor_status) == (case.within, case.vendor_status)
    assert scheduled.attempts == 1
    time.sleep(DELAY + 0.3)
    confirmed = client.recheck(reference, product=case.product)
    if case.rechecks:
        assert isinstance(confirmed, idv_delete.Deleted), repr(confirmed)
        assert (confirmed.confirmed_by, confirmed.attempts) == ("recheck", 1)
    else:
        assert confirmed is None
    assert delete_requests(emulator) == 1, emulator.stats().requests


@pytest.mark.parametrize("name", ["onfido", "stripe"])
def test_a_recheck_before_the_delay_is_still_scheduled(emulator: Emulator, name: str) -> None:
    case = BY_NAME[name]
    client = case.client(emulator.base_url)
    reference = case.new_id()
    emulator.seed(case.product, [reference])
    getattr(client, case.delete)(reference)
    still = client.recheck(reference)
    assert isinstance(still, idv_delete.Scheduled), repr(still)
    if name == "onfido":
        assert still.until and still.until.endswith("Z"), still.until  # its delete_at
    else:
        assert still.vendor_status == "processing"
    assert emulator.stats().erasures_pending == 1


def test_an_applicant_without_a_check_is_gone_at_the_recheck(emulator: Emulator) -> None:
    case = BY_NAME["onfido"]
    client = case.client(emulator.base_url)
    reference = case.new_id()
    emulator.seed("applicant", [reference], state="no_check")
    # The 204 does not say which case it was: still scheduled, never deleted.
    assert isinstance(client.delete_applicant(reference), idv_delete.Scheduled)
    gone = client.recheck(reference)
    assert isinstance(gone, idv_delete.Deleted) and gone.confirmed_by == "recheck"


NOT_YET = [
    ("veriff", "in_progress", 400),
    ("veriff", "submitted", 400),
    ("stripe", "processing", 400),
    ("stripe", "canceled", 400),
    ("persona-inquiry", "pending", 409),
]


@pytest.mark.parametrize(("name", "state", "status"), NOT_YET, ids=[f"{n}-{s}" for n, s, _ in NOT_YET])
def test_a_record_the_vendor_will_not_delete_yet(
    emulator: Emulator, name: str, state: str, status: int
) -> None:
    case = BY_NAME[name]
    client = case.client(emulator.base_url)
    reference = case.new_id()
    emulator.seed(case.product, [reference], state=state)  # type: ignore[arg-type]
    with pytest.raises(idv_delete.NotDeletableYetError) as caught:
        getattr(client, case.delete)(reference)
    error = caught.value
    assert (error.kind, error.status, error.attempts, error.in_doubt) == (
        "not_deletable_yet", status, 1, False
    )
    assert "retry" in str(error), str(error)
    assert emulator.stats().total_requests == 1, "not retried within the run"
    report = client.delete_many([reference], product=case.product)
    assert (report.failed, report.attempts, report.all_succeeded) == (
        {"not_deletable_yet": 1}, 1, False
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_batch_counts_scheduled_apart(emulator: Emulator, case: Case, tmp_path: Path) -> None:
    client = case.client(emulator.base_url)
    references = [case.new_id() for _ in range(3)]
    emulator.seed(case.product, references)
    missing = case.new_id()
    seen: List[idv_delete.Progress] = []
    journal = tmp_path / "erasures.journal"
    report = client.delete_many(
        [*references, missing], product=case.product, journal=journal, progress=seen.append
    )
    assert (report.scheduled, report.deleted, report.not_found, report.failed_total) == (3, 0, 1, 0)
    assert report.all_succeeded and report.done == 4
    assert max(p.scheduled for p in seen) == 3 and max(p.deleted for p in seen) == 0
    assert '"scheduled"' in journal.read_text(encoding="utf-8")
    again = client.delete_many([*references, missing], product=case.product, journal=journal)
    assert (again.skipped, again.attempts, again.scheduled) == (4, 0, 0)


def test_the_documented_requests() -> None:
    session = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"
    onfido = idv_delete.Onfido("onfido-token", region="ca").build_request(session)
    assert (onfido.method, onfido.url) == (
        "DELETE", f"https://api.ca.onfido.com/v3.6/applicants/{session}"
    )
    assert ("authorization", "Token token=onfido-token") in onfido.headers
    persona = idv_delete.Persona("persona-key").build_request("act_1", product="account")
    assert persona.url == "https://api.withpersona.com/api/v1/accounts/act_1"
    assert ("authorization", "Bearer persona-key") in persona.headers
    stripe = idv_delete.Stripe("sk_test_key").build_request("vs_1NuN4zGx")
    assert (stripe.method, stripe.url) == (
        "POST", "https://api.stripe.com/v1/identity/verification_sessions/vs_1NuN4zGx/redact"
    )
    veriff = idv_delete.Veriff("veriff-key", "veriff-secret").build_request(session)
    assert (veriff.method, veriff.url) == (
        "DELETE", f"https://stationapi.veriff.com/v1/sessions/{session}"
    )
    signature = hmac.new(b"veriff-secret", session.encode(), hashlib.sha256).hexdigest()
    assert ("x-hmac-signature", signature) in veriff.headers
    assert ("x-auth-client", "veriff-key") in veriff.headers
    for request in (onfido, persona, stripe, veriff):
        assert "[redacted]" in repr(request)
        assert "key" not in repr(request).replace("idempotency-key", "")


def test_parse_response_reads_a_stripe_redaction() -> None:
    request = idv_delete.Stripe("sk_test_key").build_request("vs_1")
    body = (
        b'{"id":"vs_1","object":"identity.verification_session","status":"verified",'
        b'"redaction":{"status":"processing"}}'
    )
    json = {"Content-Type": "application/json"}
    scheduled = idv_delete.parse_response(request, 200, json, body)
    assert isinstance(scheduled, idv_delete.Scheduled)
    assert scheduled.vendor_status == "processing"
    body = body.replace(b"processing", b"redacted")
    deleted = idv_delete.parse_response(request, 200, json, body)
    assert isinstance(deleted, idv_delete.Deleted) and deleted.confirmed_by == "response"


def test_reprs_show_the_settings_and_no_credential() -> None:
    assert repr(idv_delete.Onfido("t0k3n")) == "Onfido(region='eu', base_url=None)"
    assert repr(idv_delete.Persona("k3y", base_url="https://p.example")) == (
        "Persona(base_url='https://p.example')"
    )
    assert repr(idv_delete.Stripe("sk_s3cret")) == "Stripe(base_url=None)"
    assert repr(idv_delete.Veriff("k3y", "s3cret")) == "Veriff(base_url=None)"


def test_veriff_windows_and_the_disabled_endpoint() -> None:
    case = BY_NAME["veriff"]
    with Emulator(veriff_windows=[(2, 60.0)]) as emulator:
        client = case.client(emulator.base_url, max_attempts=1)
        sessions = [case.new_id() for _ in range(3)]
        emulator.seed("session", sessions)
        for session in sessions[:2]:
            assert isinstance(client.delete_session(session), idv_delete.Scheduled)
        with pytest.raises(idv_delete.RateLimitedError):
            client.delete_session(sessions[2])
    with Emulator(veriff_delete_enabled=False) as emulator:
        with pytest.raises(idv_delete.ForbiddenError):
            case.client(emulator.base_url).delete_session(case.new_id())


def test_a_persona_key_that_may_not_redact(emulator: Emulator) -> None:
    persona = idv_delete.Persona(PERSONA_READ_ONLY_KEY, base_url=emulator.base_url)
    emulator.seed("inquiry", ["inq_1"])
    with pytest.raises(idv_delete.ForbiddenError):
        persona.delete_inquiry("inq_1")


def test_emulator_settings_are_checked() -> None:
    for options, phrase in (
        ({"onfido_deletion_delay": -1.0}, "onfido_deletion_delay"),
        ({"stripe_redaction_delay": float("nan")}, "stripe_redaction_delay"),
        ({"veriff_windows": [(0, 1.0)]}, "veriff_windows"),
        ({"veriff_windows": [(1, -1.0)]}, "veriff_windows"),
        ({"persona_rate_limit": 0}, "persona_rate_limit"),
        ({"stripe_rate_limit": 0.0}, "stripe_rate_limit"),
    ):
        with pytest.raises(ValueError, match=phrase):
            Emulator(**options)  # type: ignore[arg-type]
    with Emulator() as emulator:
        with pytest.raises(ValueError, match="invalid state"):
            emulator.seed("session", [str(uuid.uuid4())], state="pending")
        with pytest.raises(ValueError, match="invalid state"):
            emulator.seed("scan", ["r"], state="pending")
        assert emulator.stats().transactions_present == 0


def test_windows_set_stop_and_lift_a_batch(emulator: Emulator, tmp_path: Path) -> None:
    """``windows=`` replaces a vendor's documented windows: a full one stops
    the batch with ``window_full`` (the vendor, the window, when to run it
    again), and the journal's sends count in the next run; an empty list
    lifts them. Bad ``windows=`` values are refused before anything is sent."""
    import datetime
    import pickle

    case = BY_NAME["veriff"]
    client = case.client(emulator.base_url)
    sessions = [case.new_id() for _ in range(3)]
    emulator.seed("session", sessions)
    for bad, error, says in [
        ({"acme": []}, ValueError, "unknown vendor"),
        ({"veriff": [(0, 60.0)]}, ValueError, "count 0"),
        ({"veriff": [(1, -1.0)]}, ValueError, "span -1 s"),
        ({"veriff": [(1, 40 * 86400.0)]}, ValueError, "at most 31 days"),
        ({"veriff": ["5/3600"]}, TypeError, "(count, seconds)"),
        (["veriff"], TypeError, "map vendor names"),
    ]:
        with pytest.raises(error, match=re.escape(says)):
            client.delete_many(sessions, windows=bad)  # type: ignore[arg-type]
    assert delete_requests(emulator) == 0

    journal = tmp_path / "sessions.journal"
    before = datetime.datetime.now(datetime.timezone.utc)
    report = client.delete_many(sessions, journal=journal, windows={"veriff": [(2, 3600.0)]})
    assert (report.scheduled, report.attempts, report.cancelled) == (2, 2, True)
    full = report.window_full
    assert full is not None
    assert (full["vendor"], full["count"], full["seconds"]) == ("veriff", 2, 3600.0)
    wait = (full["until"] - before).total_seconds()
    assert 3500 < wait <= 3601, wait
    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(report)).window_full == full

    lifted = client.delete_many(sessions, journal=journal, windows={"veriff": []})
    assert (lifted.scheduled, lifted.skipped, lifted.window_full) == (1, 2, None)
    assert delete_requests(emulator) == 3
