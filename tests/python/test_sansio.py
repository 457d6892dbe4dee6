"""The sans-IO pair: build_request for your own HTTP client, parse_response
for its answer; driven here through httpx against the emulator."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import idv_delete
from idv_delete.testing import HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, Emulator

from conftest import refs


def test_jumio_request(jumio: idv_delete.Jumio, emulator: Emulator) -> None:
    request = jumio.build_request("ref-1", product="authentication")
    assert request.method == "DELETE"
    assert request.url == f"{emulator.base_url}/api/netverify/v2/authentications/ref-1"
    headers = dict(request.headers)
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == "Acme KYC-Cleaner/1.0"
    # Basic base64("emulator-token:emulator-secret")
    assert headers["authorization"] == "Basic ZW11bGF0b3ItdG9rZW46ZW11bGF0b3Itc2VjcmV0"
    assert request.body == b""
    assert "[redacted]" in repr(request) and "ZW11" not in repr(request)


def test_hyperverge_request(hyperverge: idv_delete.HyperVerge) -> None:
    request = hyperverge.build_request('id "with" quotes')
    assert request.url.endswith("/api/v2/transaction/id")
    assert request.body == b'{"transactionId":"id \\"with\\" quotes"}'
    headers = dict(request.headers)
    assert (headers["appid"], headers["appkey"]) == (HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY)
    assert headers["content-type"] == "application/json"
    assert HYPERVERGE_APP_KEY not in repr(request) and HYPERVERGE_APP_KEY not in str(request)


def test_parse_response_reads_retry_after(hyperverge: idv_delete.HyperVerge) -> None:
    request = hyperverge.build_request("t")
    with pytest.raises(idv_delete.RateLimitedError) as caught:
        idv_delete.parse_response(request, 429, [("Retry-After", "12")], b"")
    assert caught.value.retry_after == 12.0
    with pytest.raises(ValueError):
        idv_delete.parse_response(request, 42, {}, b"")


def test_async_httpx_round_trip(emulator: Emulator, hyperverge: idv_delete.HyperVerge) -> None:
    ids = refs(5, "txn")
    emulator.seed("transaction", ids[:4])

    async def delete(client: httpx.AsyncClient, transaction_id: str) -> str:
        request = hyperverge.build_request(transaction_id)
        response = await client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        try:
            idv_delete.parse_response(
                request, response.status_code, response.headers, response.content
            )
        except idv_delete.NotFoundError:
            return "not found"
        return "deleted"

    async def main() -> list[str]:
        async with httpx.AsyncClient(follow_redirects=False) as client:
            return await asyncio.gather(*(delete(client, i) for i in ids))

    assert sorted(asyncio.run(main())) == ["deleted"] * 4 + ["not found"]
    assert emulator.stats().deletes_applied == 4
