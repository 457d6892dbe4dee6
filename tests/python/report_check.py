"""check_report: open an `idv-delete report` page in a real headless browser
and check it against the report's JSON.

The page must work offline for an auditor, so this opens it from a
``file://`` URL in Debian's Chromium (driven by Playwright, never a browser
Playwright downloads) and checks that

- it renders: the verdict banner and the three charts are visible;
- it asks for nothing: no request but the page's own file URL (``data:``
  URLs allowed), no console error, no uncaught page error;
- its numbers are the JSON's: every element with a ``data-fact`` attribute
  shows the value at that place in the JSON, and the facts a reader relies
  on (every total, every vendor's counts, each journal's trust and
  fingerprint, the table bounds) are all there;
- its tables are the JSON's: the subject and failure rows are the JSON's
  first rows in order, strings from the journal come out as the same text
  (so ``<script>`` in a subject is text, not a script: the page has exactly
  its own one script and no image);
- its search works: typing a subject into the search box leaves exactly the
  rows whose subject contains it, and clearing it shows them all again.

Chromium is ``IDV_DELETE_CHROMIUM`` or ``/usr/bin/chromium`` (Debian's
package ``chromium``); see :func:`chromium_path`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from playwright.sync_api import ConsoleMessage, Error, Request, sync_playwright

# The page's bounds (crates/cli/src/report/html.rs).
SUBJECT_ROWS = 10_000
FAILURE_ROWS = 2_000
DUPLICATE_ROWS = 2_000

COUNT_FIELDS = (
    "items",
    "deleted",
    "scheduled",
    "not_found",
    "failed",
    "in_doubt",
    "not_attempted",
    "duplicates",
)


def chromium_path() -> Optional[str]:
    """Debian's Chromium, or the one ``IDV_DELETE_CHROMIUM`` names; None if
    it is not an executable file."""
    path = os.environ.get("IDV_DELETE_CHROMIUM", "/usr/bin/chromium")
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


@dataclass
class Checked:
    """What a check saw, for a test to assert on and a person to read."""

    facts: int = 0
    subject_rows: int = 0
    failure_rows: int = 0
    search: str = ""
    search_hits: int = 0
    requests: list[str] = field(default_factory=list)


def _bounded(report: dict[str, Any], name: str, bound: int) -> dict[str, int]:
    total = len(report[name])
    return {f"{name}.total": total, f"{name}.shown": min(total, bound)}


def expected_fact(report: dict[str, Any], fact: str) -> Any:
    """The JSON's value for a page's ``data-fact`` name; AssertionError for a
    name this check does not know, so a new fact cannot go unchecked."""
    computed = {
        **_bounded(report, "subjects", SUBJECT_ROWS),
        **_bounded(report, "failures", FAILURE_ROWS),
        **_bounded(report, "cross_duplicates", DUPLICATE_ROWS),
    }
    if fact in computed:
        return computed[fact]
    parts = fact.split(".")
    head = parts[0]
    if head == "vendor" and len(parts) >= 3:
        name, key = ".".join(parts[1:-1]), parts[-1]
        matches = [v for v in report["vendors"] if v["vendor"] == name]
        assert len(matches) == 1, f"{fact}: vendor {name!r} is in the JSON {len(matches)} times"
        return matches[0]["counts"][key]
    if head == "failure_kind" and len(parts) >= 3:
        name, key = ".".join(parts[1:-1]), parts[-1]
        matches = [k for k in report["failure_kinds"] if k["kind"] == name]
        assert len(matches) == 1, f"{fact}: kind {name!r} is in the JSON {len(matches)} times"
        return matches[0][key]
    if head == "journal" and len(parts) == 3:
        return report["journals"][int(parts[1])][parts[2]]
    if head in ("totals", "timeline", "verdict", "items_without_subject"):
        value: Any = report
        for part in parts:
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value
    raise AssertionError(f"the page shows data-fact={fact!r}, which this check does not know")


def required_facts(report: dict[str, Any]) -> set[str]:
    """The facts the page must show, whatever else it shows."""
    facts = {f"totals.{key}" for key in COUNT_FIELDS}
    facts |= {"verdict.status", "items_without_subject"}
    for name in ("subjects", "failures", "cross_duplicates"):
        facts |= {f"{name}.total", f"{name}.shown"}
    for vendor in report["vendors"]:
        facts |= {f"vendor.{vendor['vendor']}.{key}" for key in COUNT_FIELDS}
    for i, journal in enumerate(report["journals"]):
        facts |= {f"journal.{i}.items", f"journal.{i}.chained", f"journal.{i}.verified"}
        if journal["fingerprint"] is not None:
            facts.add(f"journal.{i}.fingerprint")
    for kind in report["failure_kinds"]:
        facts |= {f"failure_kind.{kind['kind']}.count", f"failure_kind.{kind['kind']}.in_doubt"}
    return facts


def _same(shown: str, expected: Any) -> bool:
    if isinstance(expected, bool):
        return shown == ("yes" if expected else "no")
    if isinstance(expected, int):
        return shown.replace(",", "") == str(expected)
    return bool(shown == expected)


def _subject_cells(subject: dict[str, Any]) -> list[str]:
    counts = subject["counts"]
    return [
        subject["subject"],
        subject["status"],
        ", ".join(subject["vendors"]),
        *(
            f"{counts[key]:,}"
            for key in ("deleted", "scheduled", "not_found", "failed", "in_doubt", "not_attempted")
        ),
        subject["scheduled_until"] or "—",
    ]


_ROWS_JS = """
(table) => Array.from(document.querySelectorAll('#' + table + ' tbody tr')).map(
  (tr) => ({hidden: tr.hidden, cells: Array.from(tr.cells).map((td) => td.textContent)}))
"""


def check_report(
    html_path: Union[str, Path],
    json_path: Union[str, Path],
    screenshot: Union[str, Path, None] = None,
) -> Checked:
    """Opens the page offline in headless Chromium and checks it against the
    JSON (see the module's doc); AssertionError names the first difference.
    Writes a full-page PNG to ``screenshot`` when given."""
    executable = chromium_path()
    assert executable is not None, (
        "no Chromium: apt-get install chromium, or set IDV_DELETE_CHROMIUM to its executable"
    )
    report = json.loads(Path(json_path).read_text(encoding="utf-8"))
    url = Path(html_path).resolve().as_uri()
    checked = Checked()
    console_errors: list[str] = []
    page_errors: list[str] = []

    def on_request(request: Request) -> None:
        checked.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        page_errors.append(str(error))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", on_request)
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.goto(url, wait_until="load")

            # It renders.
            assert page.locator("#verdict").is_visible(), "the verdict banner is not visible"
            charts = page.locator("svg.chart")
            assert charts.count() == 3, f"{charts.count()} charts, not 3"
            for i in range(3):
                chart = charts.nth(i)
                assert chart.is_visible(), f"chart {i} is not visible"
                box = chart.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 20, (
                    f"chart {i} has no size: {box}"
                )
                assert chart.locator("title").count() >= 1, f"chart {i} has no <title>"
            assert page.evaluate("document.scripts.length") == 1, "a script other than the page's own"
            assert page.locator("img").count() == 0, "an <img> element: journal text became markup"

            # Its numbers are the JSON's.
            facts: list[list[str]] = page.evaluate(
                """() => Array.from(document.querySelectorAll('[data-fact]')).map(
                    (e) => [e.getAttribute('data-fact'), e.textContent.trim()])"""
            )
            for name, shown in facts:
                expected = expected_fact(report, name)
                assert _same(shown, expected), f"{name}: the page shows {shown!r}, the JSON has {expected!r}"
            missing = required_facts(report) - {name for name, _ in facts}
            assert not missing, f"the page lacks facts {sorted(missing)}"
            checked.facts = len(facts)

            # Its tables are the JSON's first rows, in order.
            subjects = page.evaluate(_ROWS_JS, "subjects")
            want = report["subjects"][:SUBJECT_ROWS]
            assert len(subjects) == len(want), f"{len(subjects)} subject rows, want {len(want)}"
            for row, subject in zip(subjects, want):
                assert row["cells"] == _subject_cells(subject), (row["cells"], subject)
            checked.subject_rows = len(subjects)
            failures = page.evaluate(_ROWS_JS, "failures")
            want = report["failures"][:FAILURE_ROWS]
            assert len(failures) == len(want), f"{len(failures)} failure rows, want {len(want)}"
            for row, failure in zip(failures, want):
                cells = row["cells"]
                assert (cells[2], cells[5], cells[6], cells[7]) == (
                    failure["vendor"],
                    failure["reference"],
                    failure["subject"] or "—",
                    failure["kind"],
                ), (cells, failure)
                assert cells[12] == failure["what_to_do"], (cells, failure)
            checked.failure_rows = len(failures)

            # Its search filters the subject table.
            names = [s["subject"] for s in report["subjects"][:SUBJECT_ROWS]]
            if names:
                # A prefix of the last subject, upper-cased: several rows
                # match, and case does not matter.
                query = (names[-1][:-1] or names[-1]).upper()
                hits = sorted(s for s in names if query.lower() in s.lower())
                page.fill("#subject-search", query)
                rows = page.evaluate(_ROWS_JS, "subjects")
                visible = sorted(r["cells"][0] for r in rows if not r["hidden"])
                assert visible == hits, f"searching {query!r} shows {visible}, want {hits}"
                assert page.locator("#subject-matches").text_content() == f"{len(hits)} matching"
                page.fill("#subject-search", "")
                rows = page.evaluate(_ROWS_JS, "subjects")
                assert not any(r["hidden"] for r in rows), "clearing the search hides rows"
                checked.search, checked.search_hits = query, len(hits)

            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    others = [r for r in checked.requests if r != url and not r.startswith("data:")]
    assert not others, f"the page made network requests: {others}"
    assert not console_errors, f"console errors: {console_errors}"
    assert not page_errors, f"page errors: {page_errors}"
    return checked
