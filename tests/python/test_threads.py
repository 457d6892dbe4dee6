"""Clients are shared between threads, and the GIL is released while a
deletion waits: 8 threads against 20 ms of emulator latency must beat one
thread by far (8x in theory; 4x required, a wide margin on a loaded CI)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import idv_delete
from idv_delete.testing import Emulator

from conftest import refs

N = 40


def test_eight_threads_share_one_client(emulator: Emulator, jumio: idv_delete.Jumio) -> None:
    sequential_refs, threaded_refs = refs(N), refs(N)
    emulator.seed("scan", sequential_refs + threaded_refs)
    emulator.set_faults(latency_ms=20)

    started = time.perf_counter()
    for ref in sequential_refs:
        jumio.delete_scan(ref)
    sequential = time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(jumio.delete_scan, threaded_refs))
    threaded = time.perf_counter() - started

    assert all(isinstance(r, idv_delete.Deleted) and r.confirmed_by == "response" for r in results)
    assert emulator.stats().deletes_applied == 2 * N
    assert sequential / threaded >= 4, (sequential, threaded)
