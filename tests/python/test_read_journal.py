"""``read_journal``: the typed per-item and per-subject view of journals
written by a real ``delete_many`` against the embedded emulator, its counts
equal to the batch's, shards with an overlapping item, and a tampered
journal (untrusted, or ``JournalError`` with ``strict=True``)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, List

import pytest

import idv_delete
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    STRIPE_SECRET_KEY,
    Emulator,
)

from conftest import USER_AGENT, refs


def client(emulator: Emulator) -> idv_delete.Client:
    # HyperVerge's app key is wrong: its items fail (unauthorized), so the
    # journal holds every kind of outcome.
    return idv_delete.Client(
        jumio=idv_delete.JumioCredentials(JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT),
        hyperverge=idv_delete.HyperVergeCredentials(HYPERVERGE_APP_ID, "not-the-app-key"),
        stripe=idv_delete.StripeCredentials(STRIPE_SECRET_KEY),
        base_url=emulator.base_url,
        max_attempts=1,
    )


def write_journal(emulator: Emulator, path: Path) -> idv_delete.BatchReport:
    scans, absent, transactions = refs(3), refs(1, "absent"), refs(1, "txn")
    session = f"vs_{uuid.uuid4().hex[:16]}"
    emulator.seed("scan", scans)
    emulator.seed("transaction", transactions)
    emulator.seed("verification_session", [session])
    items: List[Any] = [
        ("jumio", "scan", "us", scans[0], "customer-1"),
        ("jumio", "scan", "us", absent[0], "customer-1"),
        ("jumio", "scan", "us", scans[1], "customer-2"),
        ("stripe", "verification_session", None, session, "customer-2"),
        ("jumio", "scan", "us", scans[2], "customer-3"),
        ("hyperverge", "transaction", None, transactions[0], "customer-3"),
        # The same reference under another subject: one item, a duplicate.
        ("jumio", "scan", "us", scans[0], "customer-4"),
    ]
    return client(emulator).delete_many(items, journal=path)


def test_the_view_counts_what_the_batch_reported(emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "one.journal"
    report = write_journal(emulator, path)
    assert (report.deleted, report.not_found, report.scheduled) == (3, 1, 1)
    assert (report.failed_total, report.duplicates) == (1, 1)

    view = idv_delete.read_journal(path)
    assert view.trusted
    (info,) = view.journals
    assert info.path == str(path) and info.chained and info.problem is None
    assert info.fingerprint is not None and re.fullmatch("[0-9a-f]{64}", info.fingerprint)
    (run,) = info.runs
    assert run.run == 1 and run.end == "finished"
    # Custody names the accounts by fingerprint: never a secret.
    assert set(run.credentials) == {"jumio", "hyperverge", "stripe"}
    assert run.credentials["stripe"] is None
    assert JUMIO_SECRET not in repr(run) and STRIPE_SECRET_KEY not in repr(run)

    totals = view.totals
    assert isinstance(totals, idv_delete.Counts)
    assert (totals.deleted, totals.not_found, totals.scheduled) == (
        report.deleted,
        report.not_found,
        report.scheduled,
    )
    assert (totals.failed + totals.in_doubt, totals.duplicates) == (
        report.failed_total,
        report.duplicates,
    )
    assert totals.items == 7 and totals.not_attempted == 0 and not totals.settled
    assert view.by_vendor["jumio"] == idv_delete.read_journal(path).by_vendor["jumio"]
    jumio = view.by_vendor["jumio"]
    assert (jumio.deleted, jumio.not_found, jumio.duplicates, jumio.items) == (3, 1, 1, 5)
    assert view.by_vendor["stripe"].scheduled == 1 and view.by_vendor["stripe"].deleted == 0
    assert view.by_vendor["hyperverge"].failed == 1
    assert view.items_without_subject == 0 and view.cross_duplicates == ()
    assert repr(view).startswith("JournalView(trusted=True, journals=1, totals=Counts(items=7")


def test_subjects_group_their_records_across_vendors(emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "subjects.journal"
    write_journal(emulator, path)
    subjects = {s.subject: s for s in idv_delete.read_journal(path).subjects}
    assert set(subjects) == {"customer-1", "customer-2", "customer-3", "customer-4"}
    # Incomplete first, then scheduled, then erased.
    order = [s.status for s in idv_delete.read_journal(path).subjects]
    assert order == ["incomplete", "scheduled", "erased", "erased"]

    one = subjects["customer-1"]
    assert (one.status, one.vendors, one.scheduled_until) == ("erased", ("jumio",), None)
    assert (one.counts.deleted, one.counts.not_found, one.counts.items) == (1, 1, 2)
    two = subjects["customer-2"]
    assert two.status == "scheduled" and two.vendors == ("jumio", "stripe")
    assert (two.counts.deleted, two.counts.scheduled) == (1, 1)
    assert two.scheduled_until is not None  # Stripe documents its longest delay
    three = subjects["customer-3"]
    assert three.status == "incomplete" and three.vendors == ("jumio", "hyperverge")
    assert (three.counts.deleted, three.counts.failed) == (1, 1)
    # A subject's duplicate record counts as the item it repeats: the same
    # data, erased.
    four = subjects["customer-4"]
    assert four.status == "erased"
    assert (four.counts.items, four.counts.deleted, four.counts.duplicates) == (1, 1, 0)


def test_items_give_each_outcome_and_its_evidence(emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "items.journal"
    write_journal(emulator, path)
    view = idv_delete.read_journal(path)
    items = list(view.items())
    assert [i.position for i in items] == list(range(7))
    assert all(i.journal == 0 and i.counted for i in items)
    by_status = {i.status: i for i in items}
    assert set(by_status) == {"deleted", "not_found", "scheduled", "failed", "duplicate"}

    deleted = items[0]
    assert isinstance(deleted.item, idv_delete.Item)
    assert (deleted.item.vendor, deleted.item.subject) == ("jumio", "customer-1")
    assert (deleted.result, deleted.confirmed_by, deleted.attempts) == ("deleted", "response", 1)
    assert deleted.http_status is not None and 200 <= deleted.http_status < 300
    assert deleted.date is not None  # the vendor's Date header, kept as evidence

    scheduled = by_status["scheduled"]
    assert scheduled.item.vendor == "stripe" and scheduled.result == "scheduled"
    assert scheduled.within_secs is not None and scheduled.vendor_status is not None

    failed = by_status["failed"]
    assert failed.item.vendor == "hyperverge" and failed.result == "failed"
    assert (failed.error_kind, failed.http_status, failed.in_doubt) == ("unauthorized", 401, False)
    assert by_status["not_found"].result == "not_found"
    duplicate = by_status["duplicate"]
    assert (duplicate.duplicate_of, duplicate.result, duplicate.item.subject) == (
        0,
        None,
        "customer-4",
    )

    failures = list(view.failures())
    assert [f.position for f in failures] == [failed.position]
    assert "status='failed'" in repr(failures[0])
    # An iterator dropped half-way stops its reader.
    partial = view.items()
    assert next(partial).position == 0
    del partial


def test_two_journals_with_an_overlapping_item_flag_it(
    emulator: Emulator, tmp_path: Path
) -> None:
    scans = refs(3)
    emulator.seed("scan", scans)
    c = client(emulator)
    first, second = tmp_path / "shard-1.journal", tmp_path / "shard-2.journal"
    c.delete_many([("jumio", "scan", "us", s, "customer-1") for s in scans[:2]], journal=first)
    c.delete_many([("jumio", "scan", "us", s, "customer-1") for s in scans[1:]], journal=second)

    view = idv_delete.read_journal(first, str(second))
    assert view.trusted and len(view.journals) == 2
    (overlap,) = view.cross_duplicates
    assert overlap.item.reference == scans[1]
    # Deleted in the first shard, not found in the second: the deletion counts.
    assert (overlap.first, overlap.also) == ((0, 1), (1, 0))
    totals = view.totals
    assert (totals.items, totals.deleted, totals.duplicates, totals.not_found) == (4, 3, 1, 0)
    counted = [(i.journal, i.position, i.counted) for i in view.items()]
    assert counted == [(0, 0, True), (0, 1, True), (1, 0, False), (1, 1, True)]
    (subject,) = view.subjects
    # The second shard's record is the same item of the same subject: the
    # subject's three items count once each.
    assert subject.status == "erased"
    assert (subject.counts.items, subject.counts.deleted, subject.counts.duplicates) == (3, 3, 0)


def test_a_tampered_journal_is_untrusted_with_its_line_named(
    emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "tampered.journal"
    write_journal(emulator, path)
    data = bytearray(path.read_bytes())
    # One byte of line 4 (an item's record) edited: its reference's first
    # character.
    start = sum(len(line) + 1 for line in data.split(b"\n")[:3])
    at = data.index(b'"ref":"', start) + len(b'"ref":"')
    assert data.count(b"\n", 0, at) == 3
    data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")
    path.write_bytes(bytes(data))

    view = idv_delete.read_journal(path)
    assert not view.trusted
    (info,) = view.journals
    assert info.problem_line == 4
    assert info.problem is not None and "line 4" in info.problem
    assert info.fingerprint is None and info.runs == ()
    assert view.totals.items == 0 and list(view.items()) == []

    with pytest.raises(idv_delete.JournalTampered, match="line 4") as raised:
        idv_delete.read_journal(path, strict=True)
    assert (raised.value.line, raised.value.path) == (4, str(path))
    # A journal that reads whole does not raise with strict=True.
    good = tmp_path / "good.journal"
    write_journal(emulator, good)
    assert idv_delete.read_journal(good, strict=True).trusted
    # One bad shard leaves the others readable, and the view untrusted.
    both = idv_delete.read_journal(good, path)
    assert not both.trusted and both.totals.items == 7
    assert [j.problem is None for j in both.journals] == [True, False]


def test_read_journal_needs_a_path_and_reports_a_missing_one(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="at least one journal path"):
        idv_delete.read_journal()
    missing = tmp_path / "missing.journal"
    view = idv_delete.read_journal(missing)
    assert not view.trusted
    assert view.journals[0].problem is not None and view.journals[0].problem_line is None
    with pytest.raises(idv_delete.JournalError, match="missing.journal"):
        idv_delete.read_journal(missing, strict=True)
