"""Delete Jumio transactions from asyncio, through your own httpx.AsyncClient,
with the sans-IO pair: ``build_request`` makes the exact request, you send
it, ``parse_response`` reads the answer.

    JUMIO_API_TOKEN=... JUMIO_API_SECRET=... JUMIO_USER_AGENT="Acme KYC-Cleaner/1.0" \\
        python async_httpx.py REF [REF...]

The environment is that of ``delete_one.py`` (and of the ``idv-delete``
command). Each reference gets its own outcome line, ``REF: deleted``,
``REF: scheduled`` (accepted, erased later by the vendor: never "deleted")
or ``REF: <error kind>``: a malformed reference or a failed request never
stops the others. Exit status 0 when every reference was deleted or
scheduled, 1 otherwise.

One attempt per reference: retrying (``RateLimitedError.retry_after``,
``ServerError``...) is yours to decide here. The blocking clients retry for
you, and run batches on threads without holding the GIL.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import cast

import httpx

import idv_delete

CREDENTIALS = ("JUMIO_API_TOKEN", "JUMIO_API_SECRET", "JUMIO_USER_AGENT")


async def delete(
    jumio: idv_delete.Jumio, http: httpx.AsyncClient, reference: str
) -> tuple[str, str]:
    try:
        # Inside the try: a malformed reference is this item's failure
        # (invalid_reference), not the end of the run.
        request = jumio.build_request(reference, product="scan")
        response = await http.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        result = idv_delete.parse_response(
            request, response.status_code, response.headers, response.content
        )
    except idv_delete.Error as e:
        return reference, e.kind
    except httpx.TransportError as e:
        return reference, f"transport: {type(e).__name__}"
    return reference, "scheduled" if isinstance(result, idv_delete.Scheduled) else "deleted"


async def main(references: list[str]) -> int:
    missing = [name for name in CREDENTIALS if not os.environ.get(name)]
    if missing:
        print(f"set {', '.join(missing)} in the environment (see this script's docstring)", file=sys.stderr)
        return 1
    try:
        jumio = idv_delete.Jumio(
            os.environ["JUMIO_API_TOKEN"],
            os.environ["JUMIO_API_SECRET"],
            user_agent=os.environ["JUMIO_USER_AGENT"],
            region=cast(idv_delete.Region, os.environ.get("JUMIO_REGION", "us")),  # checked by the client
            base_url=os.environ.get("IDV_DELETE_BASE_URL"),
        )
    except idv_delete.InvalidConfigError as e:
        print(f"configuration: {e}", file=sys.stderr)
        return 1
    # Never follow redirects: a DELETE and its credentials must not go elsewhere.
    async with httpx.AsyncClient(follow_redirects=False, timeout=30.0) as http:
        results = await asyncio.gather(*(delete(jumio, http, r) for r in references))
    for reference, outcome in results:
        print(f"{reference}: {outcome}")
    return 0 if all(outcome in ("deleted", "scheduled") for _, outcome in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
