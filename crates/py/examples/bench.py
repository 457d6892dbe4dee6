"""Benchmarks of the Python binding against the Rust client (not tests).

Same emulator process (a separate one), same kind of references, same
deletions:

1. per-call overhead of ``Jumio.delete_scan`` over ``Client::delete``
   (sequential loops), in microseconds per call;
2. ``Jumio.delete_many`` rate as a fraction of ``Client::delete_many``
   (8 workers);
3. a ``requests.Session`` loop doing the same deletions, against the
   ``delete_scan`` loop.

Release builds only; from the repository root, in a venv holding the
release wheel and ``requests``::

    cargo build --release -p idv-delete-emulator
    cargo build --release -p idv-delete-py --example rust_baseline
    maturin build --release --out target/wheels-release
    pip install target/wheels-release/*.whl requests
    python crates/py/examples/bench.py [CARGO_TARGET_DIR]

Runs alternate Rust and Python for 15 rounds and each figure is the best
round: on a shared machine a round's time varies by far more than the
binding costs, and the best round is the one least disturbed. Sequential
loops warm up untimed on their first tenth (the Rust one runs in a fresh
process).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List

import requests

import idv_delete

TARGET = Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "release"
TOKEN, SECRET, AGENT = "emulator-token", "emulator-secret", "Acme KYC-Cleaner/1.0"
SINGLE_N, BATCH_N, ROUNDS = 2_000, 20_000, 15
TIMED_N = SINGLE_N - SINGLE_N // 10


def admin(base_url: str, path: str, body: object = None) -> None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method="POST")
    request.add_header("content-type", "application/json")
    urllib.request.urlopen(request).read()


def fresh_refs(base_url: str, n: int, tag: str) -> List[str]:
    """Resets the emulator and seeds n new scan references."""
    refs = [f"{tag}-{i}" for i in range(n)]
    admin(base_url, "/__emulator/reset")
    seed = [{"vendor": "jumio", "product": "scan", "reference": r} for r in refs]
    admin(base_url, "/__emulator/seed", seed)
    return refs


def rust(base_url: str, mode: str, refs: List[str]) -> float:
    """Seconds the Rust client took (it times itself, warm-up excluded)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write("\n".join(refs))
        f.flush()
        out = subprocess.run(
            [str(TARGET / "examples" / "rust_baseline"), base_url, mode, f.name],
            check=True, capture_output=True, text=True,
        ).stdout.split()
    assert int(out[1]) == (TIMED_N if mode == "single" else len(refs)), out
    return float(out[0])


def warmed_up(loop: Callable[[List[str]], None]) -> Callable[[List[str]], float]:
    """Runs `loop` on the first tenth untimed, then times it on the rest."""

    def run(refs: List[str]) -> float:
        loop(refs[: len(refs) // 10])
        started = time.perf_counter()
        loop(refs[len(refs) // 10 :])
        return time.perf_counter() - started

    return run


def main() -> None:
    emulator = subprocess.Popen(
        [str(TARGET / "idv-delete-emulator"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert emulator.stdout is not None
        base_url = emulator.stdout.readline().split()[-1]
        jumio = idv_delete.Jumio(TOKEN, SECRET, user_agent=AGENT, base_url=base_url)
        session = requests.Session()
        basic = base64.b64encode(f"{TOKEN}:{SECRET}".encode()).decode()
        headers = {"Accept": "application/json", "Authorization": f"Basic {basic}", "User-Agent": AGENT}

        def python_loop(refs: List[str]) -> None:
            for ref in refs:
                jumio.delete_scan(ref)

        def requests_loop(refs: List[str]) -> None:
            for ref in refs:
                url = f"{base_url}/api/netverify/v2/scans/{ref}"
                assert session.delete(url, headers=headers, allow_redirects=False).status_code == 200

        def python_batch(refs: List[str]) -> float:
            started = time.perf_counter()
            assert jumio.delete_many(refs, concurrency=8).deleted == len(refs)
            return time.perf_counter() - started

        singles: Dict[str, Callable[[List[str]], float]] = {
            "rust single": lambda refs: rust(base_url, "single", refs),
            "python single": warmed_up(python_loop),
            "requests single": warmed_up(requests_loop),
        }
        batches: Dict[str, Callable[[List[str]], float]] = {
            "rust batch": lambda refs: rust(base_url, "batch:8", refs),
            "python batch": python_batch,
        }
        best: Dict[str, float] = {}
        for round in range(ROUNDS):
            for name, run in {**singles, **batches}.items():
                n = SINGLE_N if name in singles else BATCH_N
                seconds = run(fresh_refs(base_url, n, f"{name[:2]}{round}"))
                best[name] = min(best.get(name, seconds), seconds)

        per_call = {name: best[name] / TIMED_N * 1e6 for name in singles}
        rate = {name: BATCH_N / best[name] for name in batches}
        print(f"sequential, {TIMED_N} timed deletions per round, best of {ROUNDS} rounds:")
        for name, us in per_call.items():
            print(f"  {name:16} {us:8.1f} us/call")
        print(
            "  delete_scan overhead over Client::delete: "
            f"{per_call['python single'] - per_call['rust single']:.1f} us/call"
        )
        print(
            "  requests.Session loop / delete_scan loop: "
            f"{per_call['requests single'] / per_call['python single']:.1f}x the time"
        )
        print(f"batch, {BATCH_N} deletions, 8 workers, best of {ROUNDS} rounds:")
        for name, r in rate.items():
            print(f"  {name:16} {r:8.0f} deletions/s")
        print(f"  delete_many / Client::delete_many: {rate['python batch'] / rate['rust batch']:.1%}")
    finally:
        emulator.terminate()
        emulator.wait()


if __name__ == "__main__":
    main()
