"""Fixtures: a fresh in-process emulator per test, and clients pointed at it.

Every test runs against `idv_delete.testing.Emulator` on 127.0.0.1, so the
suite needs no network and each test starts from an empty emulator.
"""

from __future__ import annotations

import itertools
import socket
import uuid
from typing import Iterator

import pytest

import idv_delete
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_CLIENT_ID,
    JUMIO_CLIENT_SECRET,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    Emulator,
)

USER_AGENT = "Acme KYC-Cleaner/1.0"

_counter = itertools.count()


def refs(n: int, prefix: str = "ref") -> list[str]:
    """`n` Jumio references that no other test of this run uses."""
    run = next(_counter)
    return [f"{prefix}-{run}-{i}" for i in range(n)]


def uuids(n: int) -> list[str]:
    """`n` fresh UUIDs: Jumio Platform account or workflow execution ids."""
    return [str(uuid.uuid4()) for _ in range(n)]


def closed_url() -> str:
    """A loopback URL nothing listens on: a port bound, then released, on
    127.0.0.2, where no emulator of these tests listens (they bind
    127.0.0.1), so no other test can take it over."""
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return f"http://127.0.0.2:{s.getsockname()[1]}"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def jumio(emulator: Emulator) -> idv_delete.Jumio:
    return idv_delete.Jumio(
        JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, base_url=emulator.base_url
    )


@pytest.fixture
def platform(emulator: Emulator) -> idv_delete.JumioPlatform:
    return idv_delete.JumioPlatform(
        JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, user_agent=USER_AGENT, base_url=emulator.base_url
    )


@pytest.fixture
def hyperverge(emulator: Emulator) -> idv_delete.HyperVerge:
    return idv_delete.HyperVerge(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, base_url=emulator.base_url)


def fast_jumio(emulator: Emulator, **options: object) -> idv_delete.Jumio:
    """A Jumio client that gives up after one attempt (no backoff waits)."""
    settings: dict[str, object] = {"max_attempts": 1, "base_url": emulator.base_url}
    settings.update(options)
    return idv_delete.Jumio(JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, **settings)  # type: ignore[arg-type]
