"""Delete Jumio transactions from asyncio, through your own httpx.AsyncClient,
with the sans-IO pair: ``build_request`` makes the exact request, you send
it, ``parse_response`` reads the answer.

    JUMIO_API_TOKEN=... JUMIO_API_SECRET=... python async_httpx.py REF [REF...]

One attempt per reference: retrying (``RateLimitedError.retry_after``,
``ServerError``...) is yours to decide here. The blocking clients retry for
you, and run batches on threads without holding the GIL.
"""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

import idv_delete


async def delete(
    jumio: idv_delete.Jumio, http: httpx.AsyncClient, reference: str
) -> tuple[str, str]:
    request = jumio.build_request(reference, product="scan")
    try:
        response = await http.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        idv_delete.parse_response(request, response.status_code, response.headers, response.content)
    except idv_delete.Error as e:
        return reference, e.kind
    except httpx.TransportError as e:
        return reference, f"transport: {type(e).__name__}"
    return reference, "deleted"


async def main(references: list[str]) -> int:
    jumio = idv_delete.Jumio(
        os.environ["JUMIO_API_TOKEN"],
        os.environ["JUMIO_API_SECRET"],
        user_agent="Acme KYC-Cleaner/1.0",
        base_url=os.environ.get("IDV_DELETE_BASE_URL"),
    )
    # Never follow redirects: a DELETE and its credentials must not go elsewhere.
    async with httpx.AsyncClient(follow_redirects=False, timeout=30.0) as http:
        results = await asyncio.gather(*(delete(jumio, http, r) for r in references))
    for reference, outcome in results:
        print(f"{reference}: {outcome}")
    return 0 if all(outcome == "deleted" for _, outcome in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
