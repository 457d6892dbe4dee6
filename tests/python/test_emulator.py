"""idv_delete.testing.Emulator: the API users test their scripts with."""

from __future__ import annotations

import pytest

import idv_delete
from idv_delete.testing import Emulator

from conftest import USER_AGENT, refs


def test_context_manager_and_shutdown() -> None:
    with Emulator() as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert repr(emulator) == f"Emulator(base_url='{emulator.base_url}')"
    with pytest.raises(RuntimeError, match="shut down"):
        emulator.stats()
    emulator.shutdown()  # again: nothing happens


def test_seed_stats_reset(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    items = refs(3)
    emulator.seed("scan", items)
    assert emulator.stats().transactions_present == 3
    jumio.delete_scan(items[0])
    stats = emulator.stats()
    assert (stats.deletes_applied, stats.transactions_present) == (1, 2)
    assert stats.requests == {"jumio/scan": {200: 1}}
    assert stats.connections_accepted >= 1
    assert emulator.stats().reference("scan", "unknown") is None
    emulator.reset()
    assert emulator.stats().transactions_present == 0


def test_seed_is_validated(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown vendor/product"):
        emulator.seed("selfie", ["r"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid reference"):
        emulator.seed("scan", ["ok", "a/b"])
    assert emulator.stats().transactions_present == 0  # all or nothing
    with pytest.raises(TypeError):
        emulator.seed("scan", "ref-1")


def test_faults_are_validated(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown field"):
        emulator.set_faults(latency=5)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="p500"):
        emulator.set_faults(p500=2.0)
    emulator.set_faults(rate_limit=None, retry_after_format="http-date", p429=0.5)


def test_fault_counts(emulator: Emulator) -> None:
    emulator.set_faults(p503=1.0)
    client = idv_delete.Jumio(
        "emulator-token", "emulator-secret", user_agent=USER_AGENT,
        base_url=emulator.base_url, max_attempts=1,
    )
    with pytest.raises(idv_delete.ServerError):
        client.delete_scan("r")
    assert emulator.stats().faults["status"] == 1


def test_custom_credentials() -> None:
    with Emulator(jumio_token="tok", jumio_secret="sec") as emulator:
        emulator.seed("scan", ["r-1"])
        client = idv_delete.Jumio("tok", "sec", user_agent=USER_AGENT, base_url=emulator.base_url)
        deleted = client.delete_scan("r-1")
        assert isinstance(deleted, idv_delete.Deleted) and deleted.confirmed_by == "response"
