"""Ctrl-C during a 60 s Retry-After pause: delete_scan, delete_resumed and delete_many (over a
list and over a generator) raise KeyboardInterrupt promptly, and a batch's
partial report is reachable from the exception and its journal.

Each case runs in a subprocess (SIGINT must reach a main thread that is not
pytest's) against `idv_delete.testing.Emulator` answering every request 429
with `Retry-After: 60`. The bound is generous (the target is 2 s; the machine
is shared); the measured seconds are printed (pytest -s shows them).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BOUND_SECONDS = 10.0

CHILD = r"""
import json, sys
import idv_delete
from idv_delete.testing import JUMIO_SECRET, JUMIO_TOKEN, Emulator

mode, journal = sys.argv[1], sys.argv[2]
refs = [f"stop-{i}" for i in range(20)]
with Emulator() as emulator:
    emulator.seed("scan", refs)
    emulator.set_faults(p429=1.0, retry_after_secs=60)
    jumio = idv_delete.Jumio(
        JUMIO_TOKEN, JUMIO_SECRET, user_agent="Acme KYC-Cleaner/1.0",
        base_url=emulator.base_url,
    )
    print("ready", flush=True)
    try:
        if mode == "scan":
            jumio.delete_scan(refs[0])
        elif mode == "resumed":
            jumio.delete_resumed(refs[0], product="scan")
        elif mode == "list":
            jumio.delete_many(refs, journal=journal, concurrency=4)
        else:
            jumio.delete_many((r for r in refs), journal=journal, concurrency=4)
        result = {"raised": None}
    except KeyboardInterrupt as interrupt:
        result = {"raised": "KeyboardInterrupt"}
        if hasattr(interrupt, "report"):
            report = interrupt.report
            result["report"] = None if report is None else {
                "cancelled": report.cancelled,
                "failed": report.failed,
                "kinds": sorted({f.error.kind for f in report.failures}),
            }
    print(json.dumps(result), flush=True)
"""


def interrupt(mode: str, journal: Path) -> tuple[dict[str, Any], float]:
    """Runs CHILD in `mode`, sends SIGINT once it is paused, and returns its
    result and the seconds from SIGINT to the result."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # the first requests meet their 429 and pause
        assert child.poll() is None, "the call returned before Ctrl-C"
        child.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        line = child.stdout.readline()
        took = time.monotonic() - signalled
        child.wait(timeout=BOUND_SECONDS * 3)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.stderr is not None
    assert line, f"no result; stderr: {child.stderr.read()}"
    print(f"{mode}: KeyboardInterrupt {took:.3f} s after SIGINT (Retry-After 60)")
    result: dict[str, Any] = json.loads(line)
    return result, took


@pytest.mark.parametrize("mode", ["scan", "resumed"])
def test_ctrl_c_stops_a_single_deletion_during_a_pause(mode: str, tmp_path: Path) -> None:
    result, took = interrupt(mode, tmp_path / "unused.journal")
    assert result["raised"] == "KeyboardInterrupt"
    assert took < BOUND_SECONDS


@pytest.mark.parametrize("mode", ["list", "generator"])
def test_ctrl_c_stops_delete_many_and_keeps_the_report(mode: str, tmp_path: Path) -> None:
    journal = tmp_path / "stop.journal"
    result, took = interrupt(mode, journal)
    assert result["raised"] == "KeyboardInterrupt"
    assert took < BOUND_SECONDS
    report = result["report"]
    assert report is not None, "the partial report rides on the exception"
    assert report["cancelled"] is True
    assert report["kinds"] == ["cancelled"]
    assert 1 <= report["failed"]["cancelled"] <= 4
    outcomes = [
        json.loads(line)
        for line in journal.read_text().splitlines()
        if '"event":"outcome"' in line
    ]
    assert len(outcomes) == report["failed"]["cancelled"]
    assert all(o["error"] == "cancelled" for o in outcomes)
