"""One deletion at a time: every method of both clients."""

from __future__ import annotations

import pytest

import idv_delete
from idv_delete.testing import Emulator

from conftest import refs


@pytest.mark.parametrize(
    ("method", "product"),
    [
        ("delete_scan", "scan"),
        ("delete_authentication", "authentication"),
        ("delete_document", "document"),
    ],
)
def test_jumio_methods_delete_once(
    emulator: Emulator, jumio: idv_delete.Jumio, method: str, product: idv_delete.JumioProduct
) -> None:
    [ref] = refs(1)
    emulator.seed(product, [ref])

    deleted = getattr(jumio, method)(ref)

    assert isinstance(deleted, idv_delete.Deleted)
    assert deleted.confirmed_by == "response"
    assert deleted.attempts == 1
    assert deleted.audits == ()
    counts = emulator.stats().reference(product, ref)
    assert counts is not None and (counts.applied, counts.not_found) == (1, 0)
    with pytest.raises(idv_delete.NotFoundError):
        getattr(jumio, method)(ref)


def test_products_are_separate(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    [ref] = refs(1)
    emulator.seed("scan", [ref])
    with pytest.raises(idv_delete.NotFoundError):
        jumio.delete_document(ref)
    jumio.delete_scan(ref)


def test_hyperverge_delete_transaction(
    emulator: Emulator, hyperverge: idv_delete.HyperVerge
) -> None:
    transaction_id = "txn with spaces and \"quotes\" é"
    emulator.seed("transaction", [transaction_id])

    deleted = hyperverge.delete_transaction(transaction_id)

    assert isinstance(deleted, idv_delete.Deleted)
    assert deleted.confirmed_by == "response"
    assert 1 <= len(deleted.audits) <= 3
    assert all(isinstance(a, str) for a in deleted.audits)
    assert deleted.vendor_message == "Transaction deleted successfully"
    with pytest.raises(idv_delete.NotFoundError) as caught:
        hyperverge.delete_transaction(transaction_id)
    assert caught.value.vendor_message == "Transaction not found"


def test_deleted_is_frozen(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    [ref] = refs(1)
    emulator.seed("scan", [ref])
    deleted = jumio.delete_scan(ref)
    with pytest.raises(AttributeError):
        deleted.attempts = 2  # type: ignore[misc]
    assert repr(deleted) == (
        "Deleted(confirmed_by='response', attempts=1, audits=(), vendor_message=None)"
    )


def test_hyperverge_host_goes_over_https() -> None:
    client = idv_delete.HyperVerge("id", "key", host="ind.idv.hyperverge.co")
    request = client.build_request("t-1")
    assert request.url == "https://ind.idv.hyperverge.co/api/v2/transaction/id"


def test_regions_pick_documented_hosts() -> None:
    hosts: list[tuple[idv_delete.Region, str]] = [
        ("us", "netverify.com"), ("eu", "lon.netverify.com"), ("sgp", "core-sgp.jumio.com")
    ]
    for region, host in hosts:
        client = idv_delete.Jumio("t", "s", user_agent="A/1", region=region)
        assert client.build_request("r").url == f"https://{host}/api/netverify/v2/scans/r"
    client = idv_delete.Jumio("t", "s", user_agent="A/1", region="eu")
    assert (
        client.build_request("r", product="document").url
        == "https://retrieval.lon.netverify.com/api/netverify/v2/documents/r"
    )
