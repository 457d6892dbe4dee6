"""The baseline contender of bench/run: the same deletions with `requests`.

A thread pool with one `requests.Session` per thread (connection reuse, as
a careful script would do), no retries (the CPU-bound rows inject no faults).

    python requests_pool.py BASE_URL CSV CONCURRENCY

Prints {"deleted": N, "not_found": N, "failed": N} as JSON.
"""

import base64
import collections
import concurrent.futures
import json
import sys
import threading

import requests

JUMIO_AUTH = "Basic " + base64.b64encode(b"emulator-token:emulator-secret").decode()
COLLECTIONS = {"scan": "scans", "authentication": "authentications", "document": "documents"}


def main() -> None:
    base_url, csv_path, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return local.session

    def delete(row: str) -> int:
        vendor, product, _region, reference = row.rstrip("\n").split(",", 3)
        if vendor == "jumio":
            url = f"{base_url}/api/netverify/v2/{COLLECTIONS[product]}/{reference}"
            headers = {
                "Accept": "application/json",
                "Authorization": JUMIO_AUTH,
                "User-Agent": "Acme KYC-Cleaner/1.0",
            }
            return session().delete(url, headers=headers).status_code
        headers = {"appid": "emulator-app-id", "appkey": "emulator-app-key"}
        body = {"transactionId": reference}
        return session().delete(f"{base_url}/api/v2/transaction/id", headers=headers, json=body).status_code

    with open(csv_path, encoding="utf-8") as rows:
        next(rows)
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            statuses = collections.Counter(pool.map(delete, rows, chunksize=64))
    deleted = sum(n for status, n in statuses.items() if 200 <= status < 300)
    print(json.dumps({"deleted": deleted, "not_found": statuses[404], "failed": sum(statuses.values()) - deleted - statuses[404]}))


if __name__ == "__main__":
    main()
