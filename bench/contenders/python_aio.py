"""The asyncio contender of bench/run: `idv_delete.aio.Client.delete_all`
over every row of a batch CSV of Jumio scans in the US, in one event loop.

    python python_aio.py BASE_URL CSV CONCURRENCY

Prints {"deleted": N, "not_found": N, "failed": N, "seconds": S} as JSON;
``seconds`` is the time `delete_all` took, without the interpreter's start
and the imports (as python_delete_many.py's).
"""

import asyncio
import json
import sys
import time

import idv_delete
from idv_delete import aio


async def main() -> None:
    base_url, csv_path, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(csv_path, encoding="utf-8") as rows:
        next(rows)
        items = [idv_delete.Item("jumio", "scan", row.rstrip("\n").rsplit(",", 1)[1], region="us")
                 for row in rows]
    credentials = idv_delete.JumioCredentials("emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0")
    async with aio.Client(jumio=credentials, base_url=base_url) as client:
        started = time.perf_counter()
        outcomes = await client.delete_all(items, concurrency=concurrency)
        seconds = time.perf_counter() - started
    print(json.dumps({
        "deleted": sum(isinstance(o, idv_delete.Deleted) for o in outcomes),
        "not_found": sum(isinstance(o, idv_delete.NotFoundError) for o in outcomes),
        "failed": sum(isinstance(o, idv_delete.Error) and not isinstance(o, idv_delete.NotFoundError)
                      for o in outcomes),
        "seconds": seconds,
    }))


if __name__ == "__main__":
    asyncio.run(main())
