"""The examples of bindings/python/examples run, against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    Emulator,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "bindings" / "python" / "examples"


def run(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        IDV_DELETE_BASE_URL=emulator.base_url,
        JUMIO_API_TOKEN=JUMIO_TOKEN,
        JUMIO_API_SECRET=JUMIO_SECRET,
        HYPERVERGE_APP_ID=HYPERVERGE_APP_ID,
        HYPERVERGE_APP_KEY=HYPERVERGE_APP_KEY,
    )
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_delete_one(emulator: Emulator) -> None:
    emulator.seed("scan", ["ex-1"])
    ok = run(emulator, str(EXAMPLES / "delete_one.py"), "ex-1")
    assert ok.returncode == 0, ok.stderr
    assert "deleted ex-1 (confirmed by response, 1 attempt(s))" in ok.stdout
    again = run(emulator, str(EXAMPLES / "delete_one.py"), "ex-1")
    assert again.returncode == 2 and "not found" in again.stderr


def test_delete_many_csv_resumes(emulator: Emulator, tmp_path: Path) -> None:
    emulator.seed("transaction", ["t-1", "t-2", "t-3"])
    ids = tmp_path / "ids.csv"
    ids.write_text("transaction_id\nt-1\nt-2\nt-3\nt-4\n")
    journal = tmp_path / "erasure.journal"
    script = str(EXAMPLES / "delete_many_csv.py")
    first = run(emulator, script, str(ids), str(journal))
    assert first.returncode == 0, first.stderr
    assert "3 deleted, 1 not found, 0 failed, 0 already done" in first.stdout
    again = run(emulator, script, str(ids), str(journal))
    assert "0 deleted, 0 not found, 0 failed, 4 already done" in again.stdout


def test_async_httpx(emulator: Emulator) -> None:
    emulator.seed("scan", ["as-1", "as-2"])
    done = run(emulator, str(EXAMPLES / "async_httpx.py"), "as-1", "as-2", "as-3")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == ["as-1: deleted", "as-2: deleted", "as-3: not_found"]
