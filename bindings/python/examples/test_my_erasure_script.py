"""How to test your own erasure code offline with idv_delete.testing: a
pytest file for a function of yours, against the in-process emulator.

    pytest test_my_erasure_script.py
"""

from __future__ import annotations

from typing import Iterator

import pytest

import idv_delete
from idv_delete.testing import JUMIO_SECRET, JUMIO_TOKEN, Emulator


def erase_customer(jumio: idv_delete.Jumio, scans: list[str]) -> list[str]:
    """Your code: erase a customer's scans, returning those not found."""
    missing = []
    for scan in scans:
        try:
            jumio.delete_scan(scan)
        except idv_delete.NotFoundError:
            missing.append(scan)
    return missing


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def jumio(emulator: Emulator) -> idv_delete.Jumio:
    return idv_delete.Jumio(
        JUMIO_TOKEN, JUMIO_SECRET, user_agent="Acme KYC-Cleaner/1.0",
        base_url=emulator.base_url, max_attempts=2,
    )


def test_erases_exactly_once(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    emulator.seed("scan", ["scan-1", "scan-2"])
    assert erase_customer(jumio, ["scan-1", "scan-2", "scan-3"]) == ["scan-3"]
    for scan in ("scan-1", "scan-2"):
        counts = emulator.stats().reference("scan", scan)
        assert counts is not None and counts.applied == 1


def test_vendor_outage_is_an_error(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    emulator.seed("scan", ["scan-1"])
    emulator.set_faults(p503=1.0)  # every request answers 503
    with pytest.raises(idv_delete.ServerError):
        erase_customer(jumio, ["scan-1"])
