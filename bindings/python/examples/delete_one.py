"""Delete one Jumio ID Verification transaction (a GDPR erasure request).

    JUMIO_API_TOKEN=... JUMIO_API_SECRET=... python delete_one.py REFERENCE

Use Jumio's dedicated "transaction administration" credentials for deletion.
JUMIO_REGION (us, eu, sgp) picks the data centre; IDV_DELETE_BASE_URL sends
the request elsewhere (the emulator, in tests).
"""

from __future__ import annotations

import os
import sys

import idv_delete


def main(reference: str) -> int:
    jumio = idv_delete.Jumio(
        os.environ["JUMIO_API_TOKEN"],
        os.environ["JUMIO_API_SECRET"],
        user_agent="Acme KYC-Cleaner/1.0",
        region=os.environ.get("JUMIO_REGION", "us"),
        base_url=os.environ.get("IDV_DELETE_BASE_URL"),
    )
    try:
        deleted = jumio.delete_scan(reference)
    except idv_delete.NotFoundError as e:
        # Never reported as deleted: a wrong region, a typo, or long gone.
        print(f"not found: {e}", file=sys.stderr)
        return 2
    except idv_delete.Error as e:
        # e.kind names the failure; e.in_doubt says an attempt may have
        # deleted it anyway, so run it again to confirm.
        print(f"failed ({e.kind}, in doubt: {e.in_doubt}): {e}", file=sys.stderr)
        return 1
    print(f"deleted {reference} (confirmed by {deleted.confirmed_by}, {deleted.attempts} attempt(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
