"""delete_many: counts, journals and resume, progress, lazy input, and the
rules for exceptions raised by the input or the progress callback."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from pathlib import Path
from typing import Iterator

import pytest

import idv_delete
from idv_delete.testing import Emulator

from conftest import fast_jumio, refs


def test_counts(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    present = refs(20)
    emulator.seed("scan", present)
    absent = refs(5, "absent")

    report = jumio.delete_many(present + absent, concurrency=4)

    assert (report.deleted, report.deleted_by_response, report.not_found) == (20, 20, 5)
    assert (report.failed, report.failed_total, report.failures) == ({}, 0, ())
    assert (report.done, report.attempts, report.skipped) == (25, 25, 0)
    assert report.all_succeeded and not report.cancelled and not report.dry_run
    assert report.elapsed > 0
    assert emulator.stats().deletes_applied == 20


def test_failures_are_reported_not_raised(emulator: Emulator) -> None:
    emulator.set_faults(p500=1.0)
    items = refs(3)
    report = fast_jumio(emulator).delete_many(items)
    assert report.failed == {"server": 3}
    assert report.in_doubt == 3  # a 5xx may have been applied
    assert not report.all_succeeded
    assert sorted(f.reference for f in report.failures) == sorted(items)
    failure = report.failures[0]
    assert isinstance(failure.error, idv_delete.ServerError)
    assert failure.error.status == 500
    assert failure.position in (0, 1, 2)


def test_other_products_and_hyperverge(
    emulator: Emulator, jumio: idv_delete.Jumio, hyperverge: idv_delete.HyperVerge
) -> None:
    documents, transactions = refs(3), refs(3, "txn")
    emulator.seed("document", documents)
    emulator.seed("transaction", transactions)
    assert jumio.delete_many(documents, product="document").deleted == 3
    assert hyperverge.delete_many(iter(transactions)).deleted == 3


def test_dry_run_sends_nothing(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    report = jumio.delete_many(refs(4), dry_run=True)
    assert (report.would_delete, report.deleted, report.dry_run) == (4, 0, True)
    assert emulator.stats().total_requests == 0


def test_journal_resume_skips_everything(
    emulator: Emulator, jumio: idv_delete.Jumio, tmp_path: Path
) -> None:
    items = refs(10)
    emulator.seed("scan", items[:8])
    journal = tmp_path / "erasure.journal"

    first = jumio.delete_many(items, journal=journal)
    again = jumio.delete_many(items, journal=str(journal))

    assert (first.deleted, first.not_found) == (8, 2)
    assert (again.skipped, again.done, again.attempts) == (10, 0, 0)
    assert emulator.stats().total_requests == 10
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert records and "emulator-secret" not in journal.read_text()


def test_journal_resume_confirms_in_doubt_items(
    emulator: Emulator, jumio: idv_delete.Jumio, tmp_path: Path
) -> None:
    # A journal as a crash leaves it: items sent, no outcome. The vendor had
    # applied the first two deletes, so the resume's 404s confirm them (by
    # absence), never "not found"; the third was never applied. A real run
    # writes the journal (in the current format), then its outcome and end
    # records are cut away (the chain computed again: see rechain), as a
    # crash after the sends would leave it.
    items = refs(3)
    emulator.seed("scan", items[:2])
    journal = tmp_path / "crashed.journal"
    jumio.delete_many(items, journal=journal)
    records = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in records if json.loads(line)["event"] in ("header", "run", "sent")]
    assert sum('"sent"' in line for line in kept) == 3 and len(kept) < len(records)
    journal.write_text("".join(rechain(kept)), encoding="utf-8")
    emulator.seed("scan", items[2:])

    resumed = jumio.delete_many(items, journal=journal)

    assert (resumed.deleted_by_absence, resumed.deleted_by_response) == (2, 1)
    assert (resumed.not_found, resumed.resumed_in_doubt) == (0, 3)


def rechain(lines: list[str]) -> list[str]:
    """The lines with their hash chain computed again, as the writer would
    have written them had the records cut away never been written (see
    docs/ARCHITECTURE.md: each line's chain is SHA-256 over the previous
    line's 32 bytes, zeros for the header, and the line without its chain)."""
    previous = bytes(32)
    out = []
    for line in lines:
        cut = line.rindex(',"chain":"')
        canonical = (line[:cut] + "}").encode("utf-8")
        previous = hashlib.sha256(previous + canonical).digest()
        out.append(f'{line[:cut]},"chain":"{previous.hex()}"}}\n')
    return out


def test_failed_in_doubt_items_are_counted(emulator: Emulator) -> None:
    items = refs(3)
    emulator.seed("scan", items)
    emulator.set_faults(p_reset_after=1.0)
    report = fast_jumio(emulator).delete_many(items)
    assert (report.failed, report.in_doubt) == ({"io": 3}, 3)
    assert all(f.error.in_doubt for f in report.failures)


def test_journal_for_another_input(jumio: idv_delete.Jumio, tmp_path: Path) -> None:
    journal = tmp_path / "j"
    jumio.delete_many(["a-1", "a-2"], journal=journal)
    with pytest.raises(idv_delete.JournalError) as caught:
        jumio.delete_many(["b-1", "b-2"], journal=journal)
    assert caught.value.kind == "journal"


def test_progress_callback(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    items = refs(12)
    emulator.seed("scan", items[:10])
    seen: list[idv_delete.Progress] = []
    threads: set[int] = set()

    def progress(p: idv_delete.Progress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    report = jumio.delete_many(items, progress=progress, concurrency=3)

    # One call per finished item; concurrent workers may see the same count.
    assert len(seen) == 12
    assert all(1 <= p.done <= 12 for p in seen) and max(p.done for p in seen) == 12
    last = max(seen, key=lambda p: p.done)
    assert (last.deleted + last.not_found + last.failed, last.skipped) == (last.done, 0)
    assert threading.get_ident() not in threads  # called from the workers
    assert report.done == 12


def test_progress_bar_on_stderr(
    emulator: Emulator, jumio: idv_delete.Jumio, capsys: pytest.CaptureFixture[str]
) -> None:
    items = refs(3)
    emulator.seed("scan", items)
    jumio.delete_many(items, progress=True)
    err = capsys.readouterr().err
    assert "3/3 done: 3 deleted, 0 scheduled, 0 not found, 0 failed, 0 skipped in" in err


def test_progress_exception_cancels_and_is_raised(
    emulator: Emulator, jumio: idv_delete.Jumio, tmp_path: Path
) -> None:
    def progress(p: idv_delete.Progress) -> None:
        if p.done == 3:
            raise RuntimeError("display broke")

    # An endless input: the batch only ends because the callback raised.
    endless = (f"gen-{i}" for i in itertools.count())
    journal = tmp_path / "j"
    with pytest.raises(RuntimeError, match="display broke"):
        jumio.delete_many(endless, progress=progress, concurrency=2, journal=journal)
    consumed = next(endless)
    assert int(consumed.split("-")[1]) < 20  # read lazily, stopped promptly
    # Every item sent was finished and journaled, so a resume can follow.
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    outcomes = [r for r in records if r["event"] == "outcome"]
    assert len(outcomes) >= 3
    assert len(outcomes) == sum(r["event"] == "sent" for r in records)


def test_input_exception_is_raised_after_draining(
    emulator: Emulator, jumio: idv_delete.Jumio
) -> None:
    items = refs(4)
    emulator.seed("scan", items)

    def broken() -> Iterator[str]:
        yield from items
        raise OSError("input file vanished")

    with pytest.raises(OSError, match="input file vanished"):
        jumio.delete_many(broken())
    # Items read before the failure were deleted, none twice.
    assert emulator.stats().deletes_applied == 4


def test_invalid_reference_in_input(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    with pytest.raises(idv_delete.InvalidReferenceError, match="a#x"):
        jumio.delete_many(["ok-1", "a#x", "ok-2"], concurrency=1)


def test_input_must_be_strings(jumio: idv_delete.Jumio) -> None:
    with pytest.raises(TypeError, match="references must be str, got int"):
        jumio.delete_many(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not one str"):
        jumio.delete_many("ref-1")
    with pytest.raises(TypeError):
        jumio.delete_many(refs(1), progress="yes")  # type: ignore[arg-type]


def test_rate_limit_paces_the_batch(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    items = refs(6)
    emulator.seed("scan", items)
    report = jumio.delete_many(items, rate=50.0)
    assert report.deleted == 6
    assert report.elapsed >= 0.08  # 6 requests at 50/s: at least 5 gaps of 20 ms
