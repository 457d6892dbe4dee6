"""``recheck_journal`` against the emulator with short delays: a journaled
batch over the vendors that erase later, rechecked before the vendor's
delay (still scheduled, journaled again), after it (deleted, confirmed by
recheck) and once more (nothing left to ask); Veriff offers no read; another
vendor's items fail without credentials; the journal's errors come before
any request; ``cancel`` (set before, or set meanwhile by another thread)
and Ctrl-C stop it between two reads; the report's value semantics.
"""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import idv_delete
from idv_delete.testing import (
    ONFIDO_API_TOKEN,
    STRIPE_SECRET_KEY,
    VERIFF_API_KEY,
    VERIFF_SHARED_SECRET,
    Emulator,
)

#: The emulator's delay before Onfido, Persona and Stripe complete an erasure.
DELAY = 0.5


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(
        onfido_deletion_delay=DELAY,
        persona_children_delay=DELAY,
        stripe_redaction_delay=DELAY,
    ) as emulator:
        yield emulator


def reads(emulator: Emulator) -> int:
    """Requests on the vendors' read routes (what a recheck sends)."""
    return sum(
        sum(statuses.values())
        for route, statuses in emulator.stats().requests.items()
        if route.endswith("/read")
    )


def records(journal: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]


def counts(report: idv_delete.RecheckReport) -> Dict[str, int]:
    return {
        "scheduled": report.scheduled,
        "deleted": report.deleted,
        "still_scheduled": report.still_scheduled,
        "not_offered": report.not_offered,
        "failed": len(report.failures),
    }


def stripe_batch(emulator: Emulator, journal: Path, count: int = 3) -> List[str]:
    """A journaled Stripe batch of `count` sessions, all scheduled."""
    sessions = [f"vs_{uuid.uuid4().hex}" for _ in range(count)]
    emulator.seed("verification_session", sessions)
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    report = stripe.delete_many(sessions, journal=journal)
    assert (report.scheduled, report.deleted) == (count, 0), report
    return sessions


def test_before_and_after_the_delay_then_nothing_left(emulator: Emulator, tmp_path: Path) -> None:
    journal = tmp_path / "erasures.journal"
    sessions = stripe_batch(emulator, journal)
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)

    early = stripe.recheck_journal(journal)
    assert counts(early) == {
        "scheduled": 3, "deleted": 0, "still_scheduled": 3, "not_offered": 0, "failed": 0
    }
    assert (early.run, early.cancelled) == (2, False)
    assert reads(emulator) == 3

    time.sleep(DELAY + 0.3)
    late = stripe.recheck_journal(str(journal))
    assert counts(late) == {
        "scheduled": 3, "deleted": 3, "still_scheduled": 0, "not_offered": 0, "failed": 0
    }
    assert late.run == 3
    upgrades = [
        r for r in records(journal)
        if r["event"] == "outcome" and r.get("confirmed_by") == "recheck"
    ]
    assert sorted(r["ref"] for r in upgrades) == sorted(sessions)
    assert all(r["result"] == "deleted" for r in upgrades)

    # The journal now reads as deleted: nothing left to recheck, and a
    # resume of the batch has nothing to send.
    again = stripe.recheck_journal(journal)
    assert counts(again) == {
        "scheduled": 0, "deleted": 0, "still_scheduled": 0, "not_offered": 0, "failed": 0
    }
    assert reads(emulator) == 6
    resumed = stripe.delete_many(sessions, journal=journal)
    assert (resumed.skipped, resumed.attempts) == (3, 0)


def test_an_onfido_applicant_still_archived_keeps_its_date(tmp_path: Path) -> None:
    # Onfido's default delay (20 days): still scheduled, with delete_at.
    with Emulator() as emulator:
        applicant = str(uuid.uuid4())
        emulator.seed("applicant", [applicant])
        onfido = idv_delete.Onfido(ONFIDO_API_TOKEN, base_url=emulator.base_url)
        journal = tmp_path / "onfido.journal"
        onfido.delete_many([applicant], journal=journal)
        report = onfido.recheck_journal(journal)
    assert counts(report)["still_scheduled"] == 1, report
    last = [r for r in records(journal) if r["event"] == "outcome"][-1]
    assert (last["result"], last["ref"]) == ("scheduled", applicant)
    assert last["until"].endswith("Z"), last


def test_veriff_offers_no_read(emulator: Emulator, tmp_path: Path) -> None:
    sessions = [str(uuid.uuid4()) for _ in range(2)]
    emulator.seed("session", sessions)
    veriff = idv_delete.Veriff(VERIFF_API_KEY, VERIFF_SHARED_SECRET, base_url=emulator.base_url)
    journal = tmp_path / "veriff.journal"
    assert veriff.delete_many(sessions, journal=journal).scheduled == 2
    outcomes = len([r for r in records(journal) if r["event"] == "outcome"])
    report = veriff.recheck_journal(journal)
    assert counts(report) == {
        "scheduled": 2, "deleted": 0, "still_scheduled": 0, "not_offered": 2, "failed": 0
    }
    assert reads(emulator) == 0
    assert len([r for r in records(journal) if r["event"] == "outcome"]) == outcomes


def test_another_vendors_items_fail_without_credentials(
    emulator: Emulator, tmp_path: Path
) -> None:
    journal = tmp_path / "stripe.journal"
    stripe_batch(emulator, journal, count=2)
    onfido = idv_delete.Onfido(ONFIDO_API_TOKEN, base_url=emulator.base_url)
    report = onfido.recheck_journal(journal)
    assert counts(report) == {
        "scheduled": 2, "deleted": 0, "still_scheduled": 0, "not_offered": 0, "failed": 2
    }
    assert [f.position for f in report.failures] == [0, 1]
    assert all(isinstance(f.error, idv_delete.InvalidConfigError) for f in report.failures)
    assert reads(emulator) == 0


def test_a_missing_journal(emulator: Emulator, tmp_path: Path) -> None:
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    missing = tmp_path / "missing.journal"
    with pytest.raises(idv_delete.JournalError, match="no journal to recheck") as caught:
        stripe.recheck_journal(missing)
    assert str(missing) in str(caught.value)
    assert not missing.exists()
    assert emulator.stats().total_requests == 0


def test_a_damaged_journal(emulator: Emulator, tmp_path: Path) -> None:
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    damaged = tmp_path / "damaged.journal"
    damaged.write_text("this is not a journal\n{}\n", encoding="utf-8")
    with pytest.raises(idv_delete.JournalError, match="damaged") as caught:
        stripe.recheck_journal(damaged)
    assert f"journal {damaged} line 1" in str(caught.value)
    assert emulator.stats().total_requests == 0


def test_another_endpoint_is_refused_with_the_journals(emulator: Emulator, tmp_path: Path) -> None:
    journal = tmp_path / "erasures.journal"
    stripe_batch(emulator, journal)
    before = emulator.stats().total_requests
    elsewhere = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(idv_delete.JournalError) as caught:
        elsewhere.recheck_journal(journal)
    message = str(caught.value)
    assert "this recheck would read at http://127.0.0.1:9" in message, message
    assert f"the base URL {emulator.base_url}" in message, message
    assert "--allow-endpoint-change" not in message
    assert emulator.stats().total_requests == before


def test_cancel_set_asks_nothing(emulator: Emulator, tmp_path: Path) -> None:
    journal = tmp_path / "erasures.journal"
    stripe_batch(emulator, journal)
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    cancel = threading.Event()
    cancel.set()
    report = stripe.recheck_journal(journal, cancel=cancel)
    assert report.cancelled and counts(report) == {
        "scheduled": 3, "deleted": 0, "still_scheduled": 0, "not_offered": 0, "failed": 0
    }
    assert reads(emulator) == 0
    # Not cancelled, the next one asks about all three.
    assert stripe.recheck_journal(journal, cancel=threading.Event()).still_scheduled == 3
    with pytest.raises(TypeError, match="threading.Event"):
        stripe.recheck_journal(journal, cancel=True)  # type: ignore[arg-type]


def test_the_report_is_a_value(emulator: Emulator, tmp_path: Path) -> None:
    journal = tmp_path / "stripe.journal"
    stripe_batch(emulator, journal, count=1)
    onfido = idv_delete.Onfido(ONFIDO_API_TOKEN, base_url=emulator.base_url)
    report = onfido.recheck_journal(journal)
    copy = pickle.loads(pickle.dumps(report))
    assert isinstance(copy, idv_delete.RecheckReport)
    assert copy == report and hash(copy) == hash(report)
    assert counts(copy) == counts(report) and copy.run == report.run == 2
    assert repr(report).startswith(
        "RecheckReport(run=2, scheduled=1, deleted=0, still_scheduled=0, not_offered=0, "
        "failures=(FailedItem(position=0, "
    ), repr(report)
    assert STRIPE_SECRET_KEY not in repr(report) and ONFIDO_API_TOKEN not in repr(report)
    with pytest.raises(ValueError, match="FailedItem"):
        idv_delete.RecheckReport._restore((1, 0, 0, 0, 2, False), ("not an item",))  # type: ignore[attr-defined]


SLOW_RECHECK_CHILD = r"""
import json, socket, sys, threading, time
import idv_delete
from idv_delete.testing import STRIPE_SECRET_KEY, Emulator

# The emulator's reads have no injected latency: a proxy in front of it
# holds each request `delay[0]` seconds, so the recheck is slow to ask.
delay = [0.0]

def pump(source, target, held):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if held:
                time.sleep(delay[0])
            target.sendall(data)
    except OSError:
        pass
    finally:
        target.close()

def proxy(listener, upstream):
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(upstream)
        threading.Thread(target=pump, args=(client, server, True), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, False), daemon=True).start()

journal = sys.argv[1]
sessions = [f"vs_stop{i}" for i in range(20)]
with Emulator() as emulator:
    emulator.seed("verification_session", sessions)
    host, port = emulator.base_url.split("//")[1].split(":")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    threading.Thread(target=proxy, args=(listener, (host, int(port))), daemon=True).start()
    base_url = "http://127.0.0.1:%d" % listener.getsockname()[1]
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=base_url)
    stripe.delete_many(sessions, journal=journal)
    delay[0] = 0.3  # 20 reads: 6 s
    print("ready", flush=True)
    try:
        if sys.argv[2] == "event":
            cancel = threading.Event()
            threading.Timer(1.0, cancel.set).start()
            report = stripe.recheck_journal(journal, cancel=cancel)
        else:
            report = stripe.recheck_journal(journal)
        result = {
            "raised": None,
            "cancelled": report.cancelled,
            "scheduled": report.scheduled,
            "asked": report.still_scheduled + report.deleted,
        }
    except KeyboardInterrupt as interrupt:
        report = interrupt.report
        result = {
            "raised": "KeyboardInterrupt",
            "cancelled": report.cancelled,
            "scheduled": report.scheduled,
            "asked": report.still_scheduled + report.deleted,
        }
    print(json.dumps(result), flush=True)
"""


def test_an_event_set_meanwhile_stops_it_between_two_reads(tmp_path: Path) -> None:
    journal = tmp_path / "stop.journal"
    child = subprocess.run(
        [sys.executable, "-c", SLOW_RECHECK_CHILD, str(journal), "event"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert child.returncode == 0, child.stderr
    ready, line = child.stdout.splitlines()
    result = json.loads(line)
    assert (ready, result["raised"], result["cancelled"]) == ("ready", None, True), result
    assert result["scheduled"] == 20 and 1 <= result["asked"] < 20, result
    assert [r for r in records(journal) if r["event"] == "end"][-1]["how"] == "cancelled"


def test_ctrl_c_stops_between_two_reads_and_keeps_the_report(tmp_path: Path) -> None:
    journal = tmp_path / "stop.journal"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_RECHECK_CHILD, str(journal), "signal"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        assert child.poll() is None, "the recheck ended before Ctrl-C"
        child.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        line = child.stdout.readline()
        took = time.monotonic() - signalled
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.stderr is not None
    assert line, f"no result; stderr: {child.stderr.read()}"
    result = json.loads(line)
    print(f"recheck_journal: KeyboardInterrupt {took:.3f} s after SIGINT, {result}")
    assert result["raised"] == "KeyboardInterrupt", result
    assert result["cancelled"] is True and result["scheduled"] == 20
    assert 1 <= result["asked"] < 20, result
    assert took < 5.0, took
    # The recheck's run ends as cancelled; what it asked is journaled.
    ends = [r for r in records(journal) if r["event"] == "end"]
    assert ends[-1]["how"] == "cancelled", ends[-1]
    rechecked = [r for r in records(journal) if r["event"] == "outcome"][20:]
    assert len(rechecked) == result["asked"]
