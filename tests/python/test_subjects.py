"""Data subjects: ``Item(..., subject=...)`` and 5-tuples, the subject's rule
(``InvalidSubjectError``, before anything is sent), its value semantics, and
its way through ``delete_many`` into the journal and ``FailedItem``."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import idv_delete
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    Emulator,
)

from conftest import USER_AGENT, refs


def client(emulator: Emulator, **options: Any) -> idv_delete.Client:
    return idv_delete.Client(
        jumio=idv_delete.JumioCredentials(JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT),
        hyperverge=idv_delete.HyperVergeCredentials(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY),
        base_url=emulator.base_url,
        **options,
    )


def journal_lines(path: Path, event: str) -> List[Dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["event"] == event]


def test_an_item_carries_its_subject_by_value() -> None:
    item = idv_delete.Item("jumio", "scan", "ref-1", region="us", subject="customer 42")
    assert item.subject == "customer 42"
    assert idv_delete.Item("jumio", "scan", "ref-1", region="us").subject is None
    assert repr(item) == (
        "Item(vendor='jumio', product='scan', reference='ref-1', region='us', "
        "subject='customer 42')"
    )
    assert str(item) == "jumio/scan/us/ref-1"  # the item's name, as before
    same = idv_delete.Item("jumio", "scan", "ref-1", "us", "customer 42")
    other = idv_delete.Item("jumio", "scan", "ref-1", region="us", subject="customer 43")
    assert item == same and hash(item) == hash(same)
    assert item != other
    copy = pickle.loads(pickle.dumps(item))
    assert copy == item and copy.subject == "customer 42"
    plain = pickle.loads(pickle.dumps(idv_delete.Item("hyperverge", "transaction", "HV-1")))
    assert plain.subject is None


@pytest.mark.parametrize(
    ("subject", "problem"),
    [
        ("", 'subject "" is empty'),
        (" customer-1", "has whitespace at an end"),
        ("customer-1\t", "has the control character U+0009 at position 10"),
        ("a\x07b", "has the control character U+0007 at position 1"),
        ("x" * 129, "is 129 characters long"),
    ],
)
def test_a_bad_subject_raises_invalid_subject_naming_the_problem(
    emulator: Emulator, subject: str, problem: str
) -> None:
    with pytest.raises(idv_delete.InvalidSubjectError, match=re.escape(problem)) as caught:
        idv_delete.Item("jumio", "scan", "ref-1", region="us", subject=subject)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, idv_delete.Error)
    assert error.kind == "invalid_subject" and error.attempts == 0
    assert "1-128 characters" in str(error)
    # A tuple's fifth element follows the same rule, in a check and in a
    # batch (a list is checked whole: nothing is sent).
    emulator.seed("scan", ["ref-1"])
    c = client(emulator)
    with pytest.raises(idv_delete.InvalidSubjectError, match=re.escape(problem)):
        c.check(("jumio", "scan", "us", "ref-1", subject))
    with pytest.raises(idv_delete.InvalidSubjectError, match=re.escape(problem)):
        c.delete_many(
            [("jumio", "scan", "us", "ref-1", "customer-1"), ("jumio", "scan", "us", "ref-1", subject)]
        )
    assert emulator.stats().deletes_applied == 0


def test_a_subject_round_trips_through_delete_many_into_the_journal(
    emulator: Emulator, tmp_path: Path
) -> None:
    scans, transactions = refs(3), refs(2, "txn")
    emulator.seed("scan", scans)
    emulator.seed("transaction", transactions)
    items: List[Any] = [
        idv_delete.Item("jumio", "scan", scans[0], region="us", subject="customer-1"),
        ("jumio", "scan", "us", scans[1], "customer-1"),
        ("hyperverge", "transaction", None, transactions[0], "customer-2"),
        ("hyperverge", "transaction", None, transactions[1], None),
        ("jumio", "scan", "us", scans[2]),
        # The same reference under another subject: one item, a duplicate.
        ("jumio", "scan", "us", scans[0], "customer-9"),
    ]
    journal = tmp_path / "subjects.journal"
    report = client(emulator).delete_many(items, journal=journal)
    assert (report.deleted, report.duplicates, report.failed_total) == (5, 1, 0)

    expected: List[Tuple[str, Any]] = [
        (scans[0], "customer-1"),
        (scans[1], "customer-1"),
        (transactions[0], "customer-2"),
        (transactions[1], None),
        (scans[2], None),
    ]
    for event in ("sent", "outcome"):
        lines = {line["ref"]: line.get("subject") for line in journal_lines(journal, event)}
        assert [(ref, lines[ref]) for ref, _ in expected] == expected, event
    duplicates = journal_lines(journal, "duplicate")
    assert [(d["ref"], d.get("subject")) for d in duplicates] == [(scans[0], "customer-9")]


def test_a_failed_item_exposes_its_subject(emulator: Emulator) -> None:
    emulator.seed("scan", ["ref-f1", "ref-f2"])
    emulator.set_faults(p500=1.0)
    report = client(emulator, max_attempts=1).delete_many(
        [
            idv_delete.Item("jumio", "scan", "ref-f1", region="us", subject="customer-7"),
            ("jumio", "scan", "us", "ref-f2"),
        ]
    )
    subjects = {f.reference: f.subject for f in report.failures}
    assert subjects == {"ref-f1": "customer-7", "ref-f2": None}
    failure = next(f for f in report.failures if f.subject is not None)
    assert "subject='customer-7'" in repr(failure)
    copy = pickle.loads(pickle.dumps(failure))
    assert copy == failure and copy.subject == "customer-7"
    assert hash(copy) == hash(failure)
