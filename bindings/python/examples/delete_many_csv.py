"""Delete every HyperVerge transaction listed in a CSV file (a retention job),
journaled so that a crash or Ctrl-C can be resumed by running it again.

    HYPERVERGE_APP_ID=... HYPERVERGE_APP_KEY=... python delete_many_csv.py ids.csv erasure.journal

The CSV has a header row with a ``transaction_id`` column. It is read lazily:
a file of millions of rows never sits in memory.
"""

from __future__ import annotations

import csv
import os
import sys
from typing import Iterator

import idv_delete


def transaction_ids(path: str) -> Iterator[str]:
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["transaction_id"]


def main(csv_path: str, journal: str) -> int:
    hyperverge = idv_delete.HyperVerge(
        os.environ["HYPERVERGE_APP_ID"],
        os.environ["HYPERVERGE_APP_KEY"],
        base_url=os.environ.get("IDV_DELETE_BASE_URL"),
    )
    report = hyperverge.delete_many(
        transaction_ids(csv_path),
        journal=journal,
        concurrency=8,
        rate=50.0,  # requests per second, retries included
        progress=True,  # a progress line on stderr
    )
    print(
        f"{report.deleted} deleted, {report.not_found} not found, "
        f"{report.failed_total} failed, {report.skipped} already done"
    )
    for failure in report.failures:
        print(f"  line {failure.position + 2}: {failure.reference}: {failure.error}", file=sys.stderr)
    return 0 if report.all_succeeded else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
