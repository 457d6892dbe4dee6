"""The journal's hash chain seen from Python: a journal edited after its run
is refused with ``JournalTampered`` (a ``JournalError`` naming the file and
the first bad line) before anything is sent, by ``delete_many`` and by
``recheck_journal``; the exception survives pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import idv_delete
from idv_delete.testing import STRIPE_SECRET_KEY, Emulator

from conftest import refs


def edited_journal(emulator: Emulator, jumio: idv_delete.Jumio, path: Path) -> int:
    """Runs a journaled batch of two items one at a time, then edits one byte
    of the first outcome; returns that line's number (from 1)."""
    items = refs(2, "chain")
    emulator.seed("scan", items)
    report = jumio.delete_many(items, journal=path, concurrency=1)
    assert report.deleted == 2
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # The report's fingerprint is the chain the last line states.
    assert report.journal_fingerprint is not None
    assert lines[-1].endswith(f',"chain":"{report.journal_fingerprint}"}}\n')
    assert pickle.loads(pickle.dumps(report)).journal_fingerprint == report.journal_fingerprint
    assert jumio.delete_many(refs(1, "unjournaled")).journal_fingerprint is None
    line = next(i for i, text in enumerate(lines) if '"event":"outcome"' in text)
    assert '"attempts":1' in lines[line]
    lines[line] = lines[line].replace('"attempts":1', '"attempts":2', 1)
    path.write_text("".join(lines), encoding="utf-8")
    return line + 1


def test_a_tampered_journal_is_refused_naming_its_first_bad_line(
    emulator: Emulator, jumio: idv_delete.Jumio, tmp_path: Path
) -> None:
    journal = tmp_path / "erasures.journal"
    line = edited_journal(emulator, jumio, journal)
    assert line == 4  # header, run, sent, outcome
    unsent = refs(1, "unsent")
    emulator.seed("scan", unsent)
    before = emulator.stats().total_requests

    with pytest.raises(idv_delete.JournalTampered) as caught:
        jumio.delete_many(refs(2, "chain") + unsent, journal=journal)

    error = caught.value
    assert isinstance(error, idv_delete.JournalError)
    assert (error.kind, error.path, error.line) == ("journal", str(journal), 4)
    assert f"journal {journal} line 4: the hash chain breaks here" in str(error)
    assert "keep the file as evidence" in str(error)
    assert type(error).__module__ == "idv_delete" and "JournalTampered" in idv_delete.__all__
    assert emulator.stats().total_requests == before

    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is idv_delete.JournalTampered
    assert (copy.path, copy.line, str(copy)) == (error.path, error.line, str(error))


def test_recheck_journal_refuses_a_tampered_journal(emulator: Emulator, tmp_path: Path) -> None:
    # A Stripe batch (scheduled erasures, what a recheck reads), then the
    # run line edited.
    journal = tmp_path / "erasures.journal"
    sessions = [f"vs_{n:032x}" for n in range(2)]
    emulator.seed("verification_session", sessions)
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    assert stripe.delete_many(sessions, journal=journal).scheduled == 2
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"event":"run"' in lines[1] and '"pid":' in lines[1]
    lines[1] = lines[1].replace('"pid":', '"pid": ', 1)
    journal.write_text("".join(lines), encoding="utf-8")
    before = emulator.stats().total_requests

    with pytest.raises(idv_delete.JournalTampered) as caught:
        stripe.recheck_journal(journal)

    assert (caught.value.path, caught.value.line) == (str(journal), 2)
    assert emulator.stats().total_requests == before
