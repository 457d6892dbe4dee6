"""The report page in a real headless browser (Debian's Chromium through
Playwright), offline: see report_check.py for what is checked.

Without Chromium these tests skip, except where ``IDV_DELETE_REQUIRE_BROWSER=1``
(scripts/test sets it and installs the browser), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from report_check import check_report, chromium_path
from test_client import the_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chromium() -> str:
    found = chromium_path()
    if found is None:
        why = "no Chromium (apt-get install chromium, or set IDV_DELETE_CHROMIUM)"
        if os.environ.get("IDV_DELETE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{why}, and IDV_DELETE_REQUIRE_BROWSER=1")
        pytest.skip(why)
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page and JSON of a sample report (3 vendors, 50 subjects, one
    named `<script>...`, failures, a journal whose chain broke), written as
    sample.html and sample.json by the Rust unit test that also checks the
    JSON reads back."""
    out = tmp_path_factory.mktemp("report-sample")
    subprocess.run(
        [
            "cargo",
            "test",
            "--locked",
            "--quiet",
            "-p",
            "idv-delete-cli",
            "--bin",
            "idv-delete",
            "report::html::tests::write_sample",
            "--",
            "--exact",
        ],
        cwd=ROOT,
        env={**os.environ, "IDV_DELETE_REPORT_SAMPLE": str(out)},
        check=True,
        timeout=900,
    )
    return out


def test_the_sample_report_opens_offline_and_shows_its_json(
    chromium: str, sample: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    checked = check_report(
        sample / "sample.html", sample / "sample.json", screenshot=tmp_path / "sample.png"
    )
    print(f"checked in {time.monotonic() - started:.1f} s: {checked}")
    assert checked.facts >= 60, checked
    assert (checked.subject_rows, checked.failure_rows) == (50, 18), checked
    assert checked.search_hits > 1, checked
    assert (tmp_path / "sample.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("old", "new", "caught"),
    [
        (
            '<span data-fact="totals.deleted">60</span>',
            '<span data-fact="totals.deleted">61</span>',
            "totals.deleted: the page shows '61', the JSON has 60",
        ),
        (
            "</body>",
            '<link rel="stylesheet" href="https://example.invalid/x.css"></body>',
            "network requests",
        ),
        ("</body>", "<script>undefinedFunction()</script></body>", "a script other than"),
        ("rows[i].hidden = !hit;", "rows[i].hidden = false;", "searching"),
        ('<svg id="chart-failures"', '<svg style="display:none" id="chart-failures"', "chart 2 is not visible"),
    ],
)
def test_the_check_catches_a_page_that_differs(
    chromium: str, sample: Path, tmp_path: Path, old: str, new: str, caught: str
) -> None:
    page = (sample / "sample.html").read_text(encoding="utf-8")
    assert old in page
    bad = tmp_path / "bad.html"
    bad.write_text(page.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(AssertionError, match=re.escape(caught)):
        check_report(bad, sample / "sample.json")


def test_the_demo_journal_report_opens_offline_and_matches_verify(
    chromium: str, tmp_path: Path
) -> None:
    cli = the_cli()
    if cli is None:
        pytest.skip("no idv-delete binary (cargo build -p idv-delete-cli, or set IDV_DELETE_CLI)")
    demo = subprocess.run(
        [str(cli), "demo", "--items", "200", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    journal = tmp_path / "erasures.journal"
    html, data = tmp_path / "report.html", tmp_path / "report.json"
    report = subprocess.run(
        [str(cli), "report", str(journal), "--html", str(html), "--json", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.returncode == 0, report.stderr
    checked = check_report(html, data, screenshot=tmp_path / "report.png")
    assert checked.facts > 0, checked

    # The per-vendor counts are verify's.
    verified = subprocess.run(
        [str(cli), "verify", str(journal), "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    fields = {
        "deleted": "deleted",
        "scheduled": "scheduled",
        "not_found": "not_found",
        "failed": "failed",
        "in_doubt": "in_doubt",
        "duplicate": "duplicates",
        "not_attempted": "not_attempted",
    }
    by_verify: dict[str, dict[str, int]] = {}
    for item in json.loads(verified.stdout)["items"]:
        counts = by_verify.setdefault(item["item"].split("/")[0], dict.fromkeys(fields.values(), 0))
        counts[fields[item["result"]]] += 1
    by_report = {
        v["vendor"]: {key: v["counts"][key] for key in fields.values()}
        for v in json.loads(data.read_text(encoding="utf-8"))["vendors"]
    }
    assert by_report == by_verify
