"""Delete every HyperVerge transaction listed in a CSV file (a retention job),
journaled so that a crash or Ctrl-C can be resumed by running it again.

    HYPERVERGE_APP_ID=... HYPERVERGE_APP_KEY=... python delete_many_csv.py ids.csv erasure.journal

The CSV has a header row with a ``transaction_id`` column. It is read lazily:
a file of millions of rows never sits in memory. A malformed id (empty,
padded with spaces, too long) is reported with its line and skipped, and the
others are deleted. IDV_DELETE_BASE_URL sends the requests elsewhere (the
emulator, in tests). Exit status 0 when every id was deleted or not found,
1 otherwise.
"""

from __future__ import annotations

import csv
import os
import sys
from typing import Iterator

import idv_delete

CREDENTIALS = ("HYPERVERGE_APP_ID", "HYPERVERGE_APP_KEY")


def valid_ids(hyperverge: idv_delete.HyperVerge, rows: csv.DictReader[str]) -> Iterator[str]:
    """The ids of ``rows``, without the malformed ones: a batch stops reading
    its input at the first malformed id, so they are skipped here."""
    for row in rows:
        transaction_id = row["transaction_id"] or ""  # None when the row is short
        try:
            hyperverge.build_request(transaction_id)  # the client's own check; sends nothing
        except idv_delete.InvalidReferenceError as e:
            print(f"line {rows.line_num}: skipped: {e}", file=sys.stderr)
            continue
        yield transaction_id


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python delete_many_csv.py IDS.csv JOURNAL", file=sys.stderr)
        return 1
    csv_path, journal = argv
    missing = [name for name in CREDENTIALS if not os.environ.get(name)]
    if missing:
        print(f"set {', '.join(missing)} in the environment (see this script's docstring)", file=sys.stderr)
        return 1
    try:
        hyperverge = idv_delete.HyperVerge(
            os.environ["HYPERVERGE_APP_ID"],
            os.environ["HYPERVERGE_APP_KEY"],
            base_url=os.environ.get("IDV_DELETE_BASE_URL"),
        )
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f)
            if "transaction_id" not in (rows.fieldnames or []):
                print(f"{csv_path}: the header row has no transaction_id column", file=sys.stderr)
                return 1
            report = hyperverge.delete_many(
                valid_ids(hyperverge, rows),
                journal=journal,
                concurrency=8,
                rate=50.0,  # requests per second, retries included
                progress=True,  # a progress line on stderr
            )
    except idv_delete.Error as e:  # a bad configuration or an unusable journal
        print(f"{e.kind}: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # after idv_delete.Error: RequestTimeoutError is an OSError too
        print(f"cannot read {csv_path}: {e.strerror}", file=sys.stderr)
        return 1
    print(
        f"{report.deleted} deleted, {report.not_found} not found, "
        f"{report.failed_total} failed, {report.skipped} already done"
    )
    for failure in report.failures:
        print(f"  {failure.reference}: {failure.error}", file=sys.stderr)
    return 0 if report.all_succeeded else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
