"""The progress line of ``delete_many(..., progress=True)``.

Presentation only, so it lives in Python and writes to ``sys.stderr`` (which
pytest, notebooks and loggers may have replaced), not to file descriptor 2.
"""

from __future__ import annotations

import sys
import time
from typing import Optional

from ._native import BatchReport, Progress


class ProgressBar:
    """Redraws one status line on a terminal (10 times a second at most), or
    prints a line every 10 seconds when stderr is not a terminal."""

    def __init__(self, total: Optional[int]) -> None:
        self._total = total
        self._tty = sys.stderr.isatty()
        self._interval = 0.1 if self._tty else 10.0
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        self._write(
            f"{self._count(progress.done)} done: {progress.deleted} deleted, "
            f"{progress.scheduled} scheduled, {progress.not_found} not found, {progress.failed} failed, "
            f"{progress.skipped} skipped, {progress.in_flight} in flight",
            final=False,
        )

    def close(self, report: BatchReport) -> None:
        """Prints the final counts, ending the line."""
        self._write(
            f"{self._count(report.done)} done: {report.deleted} deleted, "
            f"{report.scheduled} scheduled, {report.not_found} not found, {report.failed_total} failed, "
            f"{report.skipped} skipped in {report.elapsed:.1f} s",
            final=True,
        )

    def _count(self, done: int) -> str:
        return str(done) if self._total is None else f"{done}/{self._total}"

    def _write(self, line: str, *, final: bool) -> None:
        if self._tty:
            # \x1b[K clears what a longer previous line left behind.
            sys.stderr.write("\r" + line + "\x1b[K" + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
