"""Delete one Jumio ID Verification transaction (a GDPR erasure request).

    JUMIO_API_TOKEN=... JUMIO_API_SECRET=... JUMIO_USER_AGENT="Acme KYC-Cleaner/1.0" \\
        python delete_one.py REFERENCE

The environment is the ``idv-delete`` command's: JUMIO_API_TOKEN and
JUMIO_API_SECRET (Jumio's dedicated "transaction administration" pair) and
JUMIO_USER_AGENT (Jumio requires one that names your business). JUMIO_REGION
(us, eu, sgp; default us) picks the data centre; IDV_DELETE_BASE_URL sends
the request elsewhere (the emulator, in tests).

Exit status: 0 deleted (or scheduled: accepted, and erased later by the
vendor; Jumio erases at once), 2 not found, 1 anything else (the message
says what went wrong and what to do).
"""

from __future__ import annotations

import os
import sys
from typing import cast

import idv_delete

CREDENTIALS = ("JUMIO_API_TOKEN", "JUMIO_API_SECRET", "JUMIO_USER_AGENT")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python delete_one.py REFERENCE", file=sys.stderr)
        return 1
    [reference] = argv
    missing = [name for name in CREDENTIALS if not os.environ.get(name)]
    if missing:
        print(f"set {', '.join(missing)} in the environment (see this script's docstring)", file=sys.stderr)
        return 1
    try:
        jumio = idv_delete.Jumio(
            os.environ["JUMIO_API_TOKEN"],
            os.environ["JUMIO_API_SECRET"],
            user_agent=os.environ["JUMIO_USER_AGENT"],
            # The client checks it: anything but us, eu or sgp raises an
            # InvalidConfigError that names the choices.
            region=cast(idv_delete.Region, os.environ.get("JUMIO_REGION", "us")),
            base_url=os.environ.get("IDV_DELETE_BASE_URL"),
        )
        result = jumio.delete_scan(reference)
    except idv_delete.NotFoundError as e:
        # Never reported as deleted: a wrong region, a typo, or long gone.
        print(f"not found: {e}", file=sys.stderr)
        return 2
    except idv_delete.Error as e:
        # e.kind names the failure (invalid_reference, invalid_config,
        # unauthorized...); e.in_doubt says an attempt may have deleted it
        # anyway, so run it again to confirm.
        print(f"failed ({e.kind}, in doubt: {e.in_doubt}): {e}", file=sys.stderr)
        return 1
    if isinstance(result, idv_delete.Scheduled):
        # A success, but never "deleted": the vendor erases it later.
        print(f"scheduled {reference}: {result.completes}")
        return 0
    print(f"deleted {reference} (confirmed by {result.confirmed_by}, {result.attempts} attempt(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
