"""The Python contender of bench/run: `Jumio.delete_many` over every row of
a batch CSV of Jumio scans in the US, references read lazily from the file.

    python python_delete_many.py BASE_URL CSV CONCURRENCY [RATE]

Prints {"deleted": N, "not_found": N, "failed": N, "attempts": N, "seconds": S}
as JSON; ``seconds`` is the time `delete_many` took, without the
interpreter's start and the import (the asyncio row compares it with
python_aio.py's).
"""

import json
import sys
import time

import idv_delete


def main() -> None:
    base_url, csv_path, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else None
    jumio = idv_delete.Jumio("emulator-token", "emulator-secret", user_agent="Acme KYC-Cleaner/1.0",
                             region="us", base_url=base_url)
    with open(csv_path, encoding="utf-8") as rows:
        next(rows)
        references = (row.rstrip("\n").rsplit(",", 1)[1] for row in rows)
        started = time.perf_counter()
        report = jumio.delete_many(references, product="scan", concurrency=concurrency, rate=rate)
        seconds = time.perf_counter() - started
    print(json.dumps({"deleted": report.deleted, "not_found": report.not_found,
                      "failed": report.failed_total, "attempts": report.attempts, "seconds": seconds}))


if __name__ == "__main__":
    main()
