"""The examples of bindings/python/examples run, against the emulator: every
one of them, with bad input among the good, configured from the environment
as their docstrings say."""

from __future__ import annotations

import os
import re
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

from conftest import USER_AGENT

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "bindings" / "python" / "examples"

#: Every example and the tests below that run it.
TESTED = {"delete_one.py", "delete_many_csv.py", "async_httpx.py", "test_my_erasure_script.py"}

ENVIRONMENT = ("JUMIO_API_TOKEN", "JUMIO_API_SECRET", "JUMIO_USER_AGENT", "JUMIO_REGION",
               "HYPERVERGE_APP_ID", "HYPERVERGE_APP_KEY", "IDV_DELETE_BASE_URL")


def run(emulator: Emulator, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs an example with the emulator's credentials in the environment
    (`env` overrides them; an empty value unsets one)."""
    settings = dict(
        IDV_DELETE_BASE_URL=emulator.base_url,
        JUMIO_API_TOKEN=JUMIO_TOKEN,
        JUMIO_API_SECRET=JUMIO_SECRET,
        JUMIO_USER_AGENT=USER_AGENT,
        HYPERVERGE_APP_ID=HYPERVERGE_APP_ID,
        HYPERVERGE_APP_KEY=HYPERVERGE_APP_KEY,
    )
    settings.update(env)
    environ = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    environ.update({k: v for k, v in settings.items() if v})
    return subprocess.run(
        [sys.executable, *args], env=environ, capture_output=True, text=True, timeout=60
    )


def test_every_example_is_tested() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == TESTED


def test_requirements_are_pinned_as_tested() -> None:
    """The examples' requirements.txt states exact versions, the ones
    scripts/test-python runs the examples with."""
    def pins(path: Path) -> dict[str, str]:
        lines = path.read_text(encoding="utf-8").splitlines()
        return dict(line.split("==") for line in lines if line and not line.startswith("#"))

    stated = pins(EXAMPLES / "requirements.txt")
    assert set(stated) == {"httpx", "pytest"}
    tested = pins(ROOT / "tests" / "python" / "requirements.txt")
    assert all(tested[name] == version for name, version in stated.items())


def test_delete_one(emulator: Emulator) -> None:
    emulator.seed("scan", ["ex-1"])
    ok = run(emulator, str(EXAMPLES / "delete_one.py"), "ex-1")
    assert ok.returncode == 0, ok.stderr
    assert "deleted ex-1 (confirmed by response, 1 attempt(s))" in ok.stdout
    again = run(emulator, str(EXAMPLES / "delete_one.py"), "ex-1")
    assert again.returncode == 2 and "not found" in again.stderr


def test_delete_one_explains_bad_input(emulator: Emulator) -> None:
    script = str(EXAMPLES / "delete_one.py")
    bad_ref = run(emulator, script, "bad#ref")
    assert bad_ref.returncode == 1 and "failed (invalid_reference" in bad_ref.stderr
    bad_region = run(emulator, script, "ex-1", JUMIO_REGION="mars")
    assert bad_region.returncode == 1 and "failed (invalid_config" in bad_region.stderr
    assert "mars" in bad_region.stderr
    unset = run(emulator, script, "ex-1", JUMIO_USER_AGENT="", JUMIO_API_SECRET="")
    assert unset.returncode == 1
    assert "set JUMIO_API_SECRET, JUMIO_USER_AGENT in the environment" in unset.stderr
    usage = run(emulator, script)
    assert usage.returncode == 1 and "usage:" in usage.stderr
    for failed in (bad_ref, bad_region, unset, usage):
        assert "Traceback" not in failed.stderr
    assert emulator.stats().total_requests == 0


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


def test_delete_many_csv_skips_bad_rows(emulator: Emulator, tmp_path: Path) -> None:
    emulator.seed("transaction", ["t-1", "t-2"])
    ids = tmp_path / "ids.csv"
    ids.write_text("transaction_id,note\nt-1,a\n t-9,padded\n,empty\nt-2,b\n")
    script = str(EXAMPLES / "delete_many_csv.py")
    done = run(emulator, script, str(ids), str(tmp_path / "erasure.journal"))
    assert done.returncode == 0, done.stderr
    assert "2 deleted, 0 not found, 0 failed, 0 already done" in done.stdout
    skipped = re.findall(r"^line (\d+): skipped: ", done.stderr, re.MULTILINE)
    assert skipped == ["3", "4"]
    no_column = tmp_path / "no_column.csv"
    no_column.write_text("id\nt-1\n")
    refused = run(emulator, script, str(no_column), str(tmp_path / "other.journal"))
    assert refused.returncode == 1 and "no transaction_id column" in refused.stderr
    absent = run(emulator, script, str(tmp_path / "absent.csv"), str(tmp_path / "x.journal"))
    assert absent.returncode == 1 and "cannot read" in absent.stderr
    assert "Traceback" not in refused.stderr + absent.stderr


def test_async_httpx(emulator: Emulator) -> None:
    emulator.seed("scan", ["as-1", "as-2"])
    done = run(emulator, str(EXAMPLES / "async_httpx.py"), "as-1", "bad#ref", "as-2", "as-3")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "as-1: deleted", "bad#ref: invalid_reference", "as-2: deleted", "as-3: not_found",
    ]
    unset = run(emulator, str(EXAMPLES / "async_httpx.py"), "as-1", JUMIO_USER_AGENT="")
    assert unset.returncode == 1 and "set JUMIO_USER_AGENT" in unset.stderr


def test_my_erasure_script_passes() -> None:
    """The pytest example, as a user would run it (its own emulator)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
         str(EXAMPLES / "test_my_erasure_script.py")],
        capture_output=True, text=True, timeout=120, cwd=EXAMPLES,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
