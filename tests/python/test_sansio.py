"""The sans-IO pair: build_request for your own HTTP client, parse_response
for its answer; every request of tests/vectors/requests.json, then driven
through httpx against the emulator."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

import httpx
import pytest

import idv_delete
from idv_delete.testing import HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, Emulator

from conftest import refs

VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "requests.json").read_text(encoding="utf-8")
)
REQUEST_CASES: List[Dict[str, Any]] = VECTORS["cases"]
# How many request vectors each vendor has: a vendor this test no longer
# reads, or a vector dropped from the file, fails here.
REQUEST_COUNTS = {"jumio": 9, "hyperverge": 1, "onfido": 4, "persona": 3, "stripe": 2, "veriff": 2}


def vector_request(case: Dict[str, Any]) -> idv_delete.Request:
    """`case`'s request, from a client of its vendor with the file's
    credentials and the case's base URL (None: the documented host)."""
    given = VECTORS["credentials"][case["vendor"]]
    base_url: Optional[str] = case.get("base_url")
    vendor, reference, product = case["vendor"], case["reference"], case["product"]
    if vendor == "jumio":
        jumio = idv_delete.Jumio(
            given["api_token"],
            given["api_secret"],
            user_agent=given["user_agent"],
            region=case["region"],
            base_url=base_url,
        )
        return jumio.build_request(reference, product=product)
    if vendor == "hyperverge":
        assert base_url is None, case["name"]
        return idv_delete.HyperVerge(given["app_id"], given["app_key"]).build_request(reference)
    if vendor == "onfido":
        onfido = idv_delete.Onfido(given["api_token"], region=case["region"], base_url=base_url)
        return onfido.build_request(reference, product=product)
    if vendor == "persona":
        persona = idv_delete.Persona(given["api_key"], base_url=base_url)
        return persona.build_request(reference, product=product)
    if vendor == "stripe":
        stripe = idv_delete.Stripe(given["secret_key"], base_url=base_url)
        return stripe.build_request(reference, product=product)
    assert vendor == "veriff", f"{case['name']}: no client for {vendor}"
    veriff = idv_delete.Veriff(given["api_key"], given["shared_secret"], base_url=base_url)
    return veriff.build_request(reference, product=product)


def test_every_vendor_has_its_request_vectors() -> None:
    assert Counter(case["vendor"] for case in REQUEST_CASES) == REQUEST_COUNTS


@pytest.mark.parametrize("case", REQUEST_CASES, ids=[c["name"] for c in REQUEST_CASES])
def test_request_vector(case: Dict[str, Any]) -> None:
    request = vector_request(case)
    want = case["request"]
    assert request.method == want["method"]
    assert request.url == want["url"]
    names = [name for name, _ in request.headers]
    assert len(names) == len(set(names)), names
    assert dict(request.headers) == want["headers"]
    assert request.body == want["body"].encode("utf-8")
    # The repr hides every credential and signature the vector sends.
    for name in ("authorization", "appid", "appkey", "x-auth-client", "x-hmac-signature"):
        if name in want["headers"]:
            assert want["headers"][name] not in repr(request), name


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
