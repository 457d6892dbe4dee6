"""Every performance figure of idv-delete, measured side by side.

Run through `bench/run`, which builds the release binaries and the venv
first. Each contender runs as its own process against an emulator process on
loopback; the harness reads the contender's CPU time and peak RSS with
`os.wait4`, so every client is measured the same way. Nothing here passes
or fails: it measures, prints one markdown table and writes the figures as
JSON (target/bench/results.json).
"""

from __future__ import annotations

import base64
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
WORK = ROOT / "target" / "bench"
EMULATOR = RELEASE / "idv-delete-emulator"
CLI = RELEASE / "idv-delete"
VENV_PYTHON = Path(os.environ.get("BENCH_PYTHON", ROOT / "target" / "bench-venv" / "bin" / "python"))

CPU_ITEMS = int(os.environ.get("BENCH_CPU_ITEMS", 100_000))
CONCURRENCY = 8
ROUNDS = 3
PLATFORM_ITEMS = 100_000
PLATFORM_ROUNDS = 5
CREDENTIALS = {
    "JUMIO_API_TOKEN": "emulator-token",
    "JUMIO_API_SECRET": "emulator-secret",
    "JUMIO_USER_AGENT": "Acme KYC-Cleaner/1.0",
    "HYPERVERGE_APP_ID": "emulator-app-id",
    "HYPERVERGE_APP_KEY": "emulator-app-key",
}


@dataclass
class Run:
    """One contender process: wall time, CPU (user + system) and peak RSS."""

    wall: float
    cpu: float
    max_rss_kib: int
    stdout: str
    code: int


def run(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Runs one contender. CPU time comes from `wait4`; peak RSS from the
    child's own VmHWM, polled until it exits, because `wait4`'s ru_maxrss
    also counts the harness's memory from before the child's exec."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                env={**os.environ, **CREDENTIALS, **(env or {})})
        peak = {"kib": 0}

        def watch() -> None:
            while proc.returncode is None:
                try:
                    with open(f"/proc/{proc.pid}/status") as status:
                        for line in status:
                            if line.startswith("VmHWM:"):
                                peak["kib"] = max(peak["kib"], int(line.split()[1]))
                except (FileNotFoundError, ProcessLookupError, ValueError):
                    return
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
        out.seek(0)
        stdout = out.read().decode(errors="replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak["kib"], stdout, proc.returncode)


class Emulator:
    """The emulator binary on a free loopback port, stopped on exit."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([str(EMULATOR), "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ").strip()

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.base_url}/__emulator/stats") as response:
            return json.load(response)

    def requests_with_status(self, status: int) -> int:
        return sum(by_status.get(str(status), 0) for by_status in self.stats()["requests"].values())

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *_: object) -> None:
        self.proc.kill()
        self.proc.wait()


def write_inputs(n: int, name: str) -> tuple[Path, Path]:
    """A seed file for the emulator and the matching batch CSV: n Jumio
    scans in the US, with valid references."""
    seed, batch = WORK / f"{name}-seed.csv", WORK / f"{name}-batch.csv"
    if not (seed.exists() and batch.exists()):
        with open(seed, "w") as s, open(batch, "w") as b:
            s.write("vendor,product,reference\n")
            b.write("vendor,product,region,reference\n")
            for i in range(n):
                s.write(f"jumio,scan,bench-{i:08d}\n")
                b.write(f"jumio,scan,us,bench-{i:08d}\n")
    return seed, batch


def contender_commands(base_url: str, batch: Path, concurrency: int, rate: float | None = None) -> dict[str, list[str]]:
    """Each client deleting every row of `batch`."""
    rate_args = [str(rate)] if rate else []
    journal = WORK / f"journal-{time.monotonic_ns()}.jsonl"
    cli = [str(CLI), "batch", str(batch), "--journal", str(journal), "--yes", "--concurrency", str(concurrency),
           "--base-url", base_url, "--output", "json"] + (["--rate", str(rate)] if rate else [])
    contenders = ROOT / "bench" / "contenders"
    return {
        "Rust batch (Client::delete_many)": [str(RELEASE / "examples" / "batch_run"), base_url, str(batch), str(concurrency), *rate_args],
        "Python delete_many": [str(VENV_PYTHON), str(contenders / "python_delete_many.py"), base_url, str(batch), str(concurrency), *rate_args],
        "Python asyncio (aio.Client.delete_all)": [str(VENV_PYTHON), str(contenders / "python_aio.py"), base_url, str(batch), str(concurrency)],
        "C delete_client_delete_many": [str(WORK / "c_batch"), base_url, str(batch), str(concurrency), *rate_args],
        "CLI (idv-delete batch, journal)": cli,
        "requests.Session thread pool": [str(VENV_PYTHON), str(contenders / "requests_pool.py"), base_url, str(batch), str(concurrency)],
    }


def wrk(base_url: str, connections: int, seconds: int = 8) -> tuple[float, float]:
    """wrk's requests/s and CPU µs per request: Jumio deletes of one
    reference (404 after the first), the emulator's fastest path."""
    script = WORK / "wrk-delete.lua"
    auth = base64.b64encode(b"emulator-token:emulator-secret").decode()
    script.write_text(
        'wrk.method = "DELETE"\n'
        'wrk.headers["Accept"] = "application/json"\n'
        'wrk.headers["User-Agent"] = "Acme KYC-Cleaner/1.0"\n'
        f'wrk.headers["Authorization"] = "Basic {auth}"\n'
    )
    result = run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
                  f"{base_url}/api/netverify/v2/scans/wrk-reference"])
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    return rate, result.cpu / (rate * seconds) * 1e6


def row_core() -> list[dict]:
    """Row 1: to_request + parse_response per deletion, ns (divan) and instructions (callgrind)."""
    out = subprocess.run(["cargo", "bench", "-q", "-p", "idv-delete-core", "--bench", "roundtrip"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rows = []
    for vendor in ("jumio", "hyperverge"):
        median = re.search(rf"{vendor}\s+\S+ \S+\s+│\s+\S+ \S+\s+│\s+([\d.]+) (ns|µs)", out)
        ns = float(median.group(1)) * (1000 if median.group(2) == "µs" else 1)
        counts = []
        for iterations in (0, 10_000):
            cg = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                 str(RELEASE / "examples" / "roundtrip_loop"), vendor, str(iterations)],
                                capture_output=True, text=True, check=True).stderr
            counts.append(int(re.search(r"Collected : (\d+)", cg).group(1)))
        rows.append({"vendor": vendor, "ns_per_deletion": ns, "instructions_per_deletion": (counts[1] - counts[0]) / 10_000})
    return rows


def row_cpu_bound() -> dict:
    """Row 2: 100,000 deletions at equal connection counts, wrk alongside."""
    seed, batch = write_inputs(CPU_ITEMS, f"cpu-{CPU_ITEMS}")
    with Emulator() as emulator:
        wrk_before = wrk(emulator.base_url, CONCURRENCY)
    # The three library contenders are compared with each other, so they
    # alternate over ROUNDS rounds and each keeps its median; the CLI and
    # requests run once.
    library = ["Rust batch (Client::delete_many)", "Python delete_many", "C delete_client_delete_many"]
    order = library * ROUNDS + ["CLI (idv-delete batch, journal)", "requests.Session thread pool"]
    runs: dict[str, list[dict]] = {}
    for name in order:
        with Emulator("--seed", str(seed)) as emulator:
            result = run(contender_commands(emulator.base_url, batch, CONCURRENCY)[name])
            deleted = emulator.stats()["deletes_applied"]
        runs.setdefault(name, []).append({
            "deletions_per_s": deleted / result.wall,
            "cpu_us_per_deletion": result.cpu / max(deleted, 1) * 1e6,
            "deleted": deleted,
            "exit_code": result.code,
        })
    results = {}
    for name, samples in runs.items():
        samples.sort(key=lambda sample: sample["deletions_per_s"])
        results[name] = {**samples[len(samples) // 2], "rates": [round(x["deletions_per_s"]) for x in samples]}
    with Emulator() as emulator:
        wrk_after = wrk(emulator.base_url, CONCURRENCY)
    wrk_rate = (wrk_before[0] + wrk_after[0]) / 2
    rust = results["Rust batch (Client::delete_many)"]["deletions_per_s"]
    for figures in results.values():
        figures["fraction_of_wrk"] = figures["deletions_per_s"] / wrk_rate
        figures["fraction_of_rust"] = figures["deletions_per_s"] / rust
    return {"items": CPU_ITEMS, "connections": CONCURRENCY,
            "wrk": {"requests_per_s": wrk_rate, "runs": [wrk_before[0], wrk_after[0]], "cpu_us_per_request": (wrk_before[1] + wrk_after[1]) / 2},
            "contenders": results}


def row_latency_bound() -> dict:
    """Row 3: emulator latency 50 ms, concurrency 32, 3,000 items; bound 640/s."""
    seed, batch = write_inputs(3000, "latency")
    results = {}
    for name in ("Rust batch (Client::delete_many)", "Python delete_many", "C delete_client_delete_many"):
        with Emulator("--seed", str(seed), "--latency-ms", "50") as emulator:
            result = run(contender_commands(emulator.base_url, batch, 32)[name])
            deleted = emulator.stats()["deletes_applied"]
        rate = deleted / result.wall
        results[name] = {"deletions_per_s": rate, "fraction_of_bound": rate / 640, "deleted": deleted}
    return results


ASYNC_ITEMS = 1000
ASYNC_LATENCY_MS = 50
#: 16 and 24 in flight stay below one event loop's CPU; 32 is row 3's
#: concurrency (bound 640/s); 50 (bound 1,000/s) shows where the loop's CPU,
#: not the concurrency, sets the rate.
ASYNC_CONCURRENCY = (16, 24, 32, 50)


def row_asyncio() -> dict:
    """Row 8: 1,000 deletions against the emulator at 50 ms latency, the
    asyncio client (one event loop, httpx) beside the blocking Python
    `delete_many` (threads) at the same concurrency C, alternating over
    ROUNDS rounds (median each). The concurrency-bound rate is C / 0.05 s;
    the rate is deleted / the deletion call's own time (printed by the
    contender: the interpreter's start and imports do not count); the
    client CPU per deletion is the whole process's."""
    seed, batch = write_inputs(ASYNC_ITEMS, f"asyncio-{ASYNC_ITEMS}")
    names = ["Python asyncio (aio.Client.delete_all)", "Python delete_many"]
    results: dict[str, dict] = {}
    for concurrency in ASYNC_CONCURRENCY:
        bound = concurrency / (ASYNC_LATENCY_MS / 1000)
        runs: dict[str, list[dict]] = {}
        for name in names * ROUNDS:
            with Emulator("--seed", str(seed), "--latency-ms", str(ASYNC_LATENCY_MS)) as emulator:
                result = run(contender_commands(emulator.base_url, batch, concurrency)[name])
                deleted = emulator.stats()["deletes_applied"]
            seconds = json.loads(result.stdout)["seconds"]
            runs.setdefault(name, []).append({
                "deletions_per_s": deleted / seconds, "fraction_of_bound": deleted / seconds / bound,
                "cpu_us_per_deletion": result.cpu / max(deleted, 1) * 1e6,
                "deleted": deleted, "exit_code": result.code,
            })
        for name, samples in runs.items():
            samples.sort(key=lambda sample: sample["deletions_per_s"])
            results[f"{name}, C={concurrency}"] = {
                **samples[len(samples) // 2], "concurrency": concurrency, "bound_per_s": bound,
                "fractions": [round(x["fraction_of_bound"], 3) for x in samples],
            }
    return {"items": ASYNC_ITEMS, "latency_ms": ASYNC_LATENCY_MS, "contenders": results}


def row_rate_bound() -> dict:
    """Row 4: emulator limit 200/s (burst 10), the Rust batch told 200/s and
    not told (1,000 items: pauses alone take minutes), and not told but with
    the adaptive rate (4,000 items, so that finding the limit is not most of
    the run)."""
    results = {}
    for told, items, extra in (("told 200/s", 1000, ["200"]), ("not told", 1000, []),
                               ("not told, --adaptive-rate", 4000, ["adaptive"])):
        seed, batch = write_inputs(items, f"rate-{items}")
        with Emulator("--seed", str(seed), "--rate-limit", "200", "--rate-burst", "10") as emulator:
            rust = contender_commands(emulator.base_url, batch, CONCURRENCY)["Rust batch (Client::delete_many)"]
            result = run(rust + extra)
            deleted = emulator.stats()["deletes_applied"]
            limited = emulator.requests_with_status(429)
            total = emulator.stats()["total_requests"]
        results[told] = {"items": items, "deletions_per_s": deleted / result.wall, "fraction_of_limit": deleted / result.wall / 200,
                         "answered_429": limited, "fraction_429": limited / max(total, 1), "deleted": deleted}
    return results


def write_platform_inputs(n: int, name: str) -> tuple[Path, Path]:
    """As `write_inputs`, for n Jumio Platform accounts (UUIDs) in the US."""
    seed, batch = WORK / f"{name}-seed.csv", WORK / f"{name}-batch.csv"
    if not (seed.exists() and batch.exists()):
        with open(seed, "w") as s, open(batch, "w") as b:
            s.write("vendor,product,reference\n")
            b.write("vendor,product,region,reference\n")
            for i in range(n):
                account = f"{i:08x}-0000-4000-8000-{i:012x}"
                s.write(f"jumio-platform,account,{account}\n")
                b.write(f"jumio-platform,account,us,{account}\n")
    return seed, batch


def row_platform() -> dict:
    """Row 7: the Jumio Platform's OAuth2 batch against the Netverify v2
    batch, same item count and concurrency, alternating over ROUNDS rounds
    (median rate each): the token costs must not slow a batch down. Both
    run without request windows (`no-windows`), so that the platform's
    documented 15 per second does not decide the figure."""
    inputs = {"Netverify v2 scans": write_inputs(PLATFORM_ITEMS, f"v2-{PLATFORM_ITEMS}"),
              "Platform accounts": write_platform_inputs(PLATFORM_ITEMS, f"platform-{PLATFORM_ITEMS}")}
    runs: dict[str, list[dict]] = {}
    for name in list(inputs) * PLATFORM_ROUNDS:
        seed, batch = inputs[name]
        with Emulator("--seed", str(seed)) as emulator:
            # The platform's documented 15 requests per second is lifted: the
            # emulator has no tenant limit, and the row measures the client.
            command = contender_commands(emulator.base_url, batch, CONCURRENCY)["Rust batch (Client::delete_many)"]
            result = run([*command, "no-windows"])
            stats = emulator.stats()
        runs.setdefault(name, []).append({"deletions_per_s": stats["deletes_applied"] / result.wall,
                                          "cpu_us_per_deletion": result.cpu / max(stats["deletes_applied"], 1) * 1e6,
                                          "deleted": stats["deletes_applied"], "token_requests": stats["token_requests"]})
    results = {}
    for name, samples in runs.items():
        samples.sort(key=lambda sample: sample["deletions_per_s"])
        results[name] = {**samples[len(samples) // 2], "rates": [round(x["deletions_per_s"]) for x in samples]}
    share = results["Platform accounts"]["deletions_per_s"] / results["Netverify v2 scans"]["deletions_per_s"]
    return {"items": PLATFORM_ITEMS, "connections": CONCURRENCY, "share_of_v2": share, "contenders": results}


def row_memory() -> dict:
    """Row 5: a 1,000,000-item CSV batch through the CLI with a journal: peak RSS."""
    n = int(os.environ.get("BENCH_MEMORY_ITEMS", 1_000_000))
    seed, batch = write_inputs(n, f"memory-{n}")
    with Emulator("--seed", str(seed)) as emulator:
        result = run(contender_commands(emulator.base_url, batch, CONCURRENCY)["CLI (idv-delete batch, journal)"])
    summary = json.loads(result.stdout)
    return {"items": n, "peak_rss_mib": result.max_rss_kib / 1024, "deleted": summary["deleted"],
            "seconds": result.wall, "exit_code": result.code}


def row_journal() -> dict:
    """Row 9: a 1,000,000-item chained journal (bench/journal_gen.py: four
    vendors, three items per subject, evidence on every outcome) verified
    and reported by the CLI: wall time and peak RSS of each."""
    n = int(os.environ.get("BENCH_JOURNAL_ITEMS", 1_000_000))
    journal = WORK / f"journal-{n}.journal"
    if not journal.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "journal_gen.py"), str(n), str(journal)], check=True)
    cli = str(ROOT / "target" / "release" / "idv-delete")
    verify = run([cli, "verify", str(journal), "--output", "json"])
    html, data = WORK / f"report-{n}.html", WORK / f"report-{n}.json"
    report = run([cli, "report", str(journal), "--html", str(html), "--json", str(data)])
    figures = {"items": n, "journal_mib": journal.stat().st_size / 2**20,
               "verify": {"seconds": verify.wall, "peak_rss_mib": verify.max_rss_kib / 1024, "exit_code": verify.code},
               "report": {"seconds": report.wall, "peak_rss_mib": report.max_rss_kib / 1024, "exit_code": report.code,
                          "html_mib": html.stat().st_size / 2**20, "json_mib": data.stat().st_size / 2**20}}
    html.unlink()
    data.unlink()
    return figures


def row_faults() -> dict:
    """Row 6: 10,000 items with 10% injected faults against none, through the CLI."""
    seed, batch = write_inputs(10_000, "faults")
    faults = ["--fault-seed", "6", "--p500", "0.02", "--p503", "0.02", "--p429", "0.02", "--retry-after", "1",
              "--p-reset-before", "0.02", "--p-reset-after", "0.02"]
    figures = {}
    for label, extra in (("fault-free", []), ("10% faults", faults)):
        with Emulator("--seed", str(seed), *extra) as emulator:
            result = run(contender_commands(emulator.base_url, batch, CONCURRENCY)["CLI (idv-delete batch, journal)"])
            stats = emulator.stats()
        summary = json.loads(result.stdout)
        figures[label] = {
            "seconds": result.wall,
            "terminal": summary["deleted"] + summary["not_found"] + summary["failed_total"],
            "deleted": summary["deleted"],
            "deleted_by_absence": summary["deleted_by_absence"],
            "applied_once": sum(1 for r in stats["references"] if r["applied"] == 1),
            "exit_code": result.code,
        }
    figures["time_ratio"] = figures["10% faults"]["seconds"] / figures["fault-free"]["seconds"]
    return figures


def markdown(results: dict) -> str:
    lines = [f"Measured {results['date']} on {results['machine']}.", "",
             "| row | contender | figure |", "|---|---|---|"]
    for core in results["core"]:
        lines.append(f"| 1 core | {core['vendor']} | {core['ns_per_deletion']:.0f} ns, "
                     f"{core['instructions_per_deletion']:.0f} instructions per to_request + parse_response |")
    cpu = results["cpu_bound"]
    lines.append(f"| 2 CPU-bound | wrk -c{cpu['connections']} | {cpu['wrk']['requests_per_s']:,.0f} requests/s, "
                 f"{cpu['wrk']['cpu_us_per_request']:.1f} µs CPU per request |")
    for name, f in cpu["contenders"].items():
        lines.append(f"| 2 CPU-bound | {name} | {f['deletions_per_s']:,.0f} deletions/s ({f['fraction_of_wrk']:.0%} of wrk, "
                     f"{f['fraction_of_rust']:.0%} of Rust), {f['cpu_us_per_deletion']:.1f} µs client CPU per deletion |")
    for name, f in results["latency_bound"].items():
        lines.append(f"| 3 latency-bound | {name} | {f['deletions_per_s']:.0f}/s = {f['fraction_of_bound']:.1%} of 640/s |")
    for told, f in results["rate_bound"].items():
        lines.append(f"| 4 rate-bound 200/s | Rust batch, {told}, {f['items']:,} items | {f['fraction_of_limit']:.1%} of 200/s, "
                     f"{f['answered_429']} answered 429 ({f['fraction_429']:.1%}) |")
    memory = results["memory"]
    lines.append(f"| 5 memory | CLI, {memory['items']:,} items with journal | peak RSS {memory['peak_rss_mib']:.1f} MiB "
                 f"({memory['deleted']:,} deleted in {memory['seconds']:.0f} s) |")
    platform_row = results.get("platform")
    if platform_row:
        v2, accounts = platform_row["contenders"]["Netverify v2 scans"], platform_row["contenders"]["Platform accounts"]
        lines.append(f"| 7 Jumio Platform | Rust batch, {platform_row['items']:,} accounts vs scans | "
                     f"{accounts['deletions_per_s']:,.0f}/s vs {v2['deletions_per_s']:,.0f}/s = {platform_row['share_of_v2']:.1%} of v2; "
                     f"client CPU {accounts['cpu_us_per_deletion']:.1f} vs {v2['cpu_us_per_deletion']:.1f} µs per deletion; "
                     f"{accounts['token_requests']} token request(s) |")
    asyncio_row = results.get("asyncio")
    if asyncio_row:
        for name, f in asyncio_row["contenders"].items():
            lines.append(f"| 8 asyncio, {asyncio_row['items']:,} items, {asyncio_row['latency_ms']} ms | {name} | "
                         f"{f['deletions_per_s']:.0f}/s = {f['fraction_of_bound']:.1%} of {f['bound_per_s']:.0f}/s; "
                         f"{f['cpu_us_per_deletion']:.0f} µs client CPU per deletion |")
    journal_row = results.get("journal")
    if journal_row:
        v, r = journal_row["verify"], journal_row["report"]
        lines.append(f"| 9 journal, {journal_row['items']:,} items ({journal_row['journal_mib']:.0f} MiB) | verify, report | "
                     f"verify {v['seconds']:.1f} s, peak RSS {v['peak_rss_mib']:.0f} MiB; report {r['seconds']:.1f} s, "
                     f"peak RSS {r['peak_rss_mib']:.0f} MiB (page {r['html_mib']:.1f} MiB, JSON {r['json_mib']:.0f} MiB) |")
    faults = results["faults"]
    lines.append(f"| 6 faults | CLI, 10,000 items | {faults['time_ratio']:.2f}x the fault-free time; "
                 f"{faults['10% faults']['terminal']:,} terminal, {faults['10% faults']['applied_once']:,} applied exactly once |")
    return "\n".join(lines)


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.platform()}",
    }
    rows = (("core", row_core), ("cpu_bound", row_cpu_bound), ("latency_bound", row_latency_bound),
            ("rate_bound", row_rate_bound), ("memory", row_memory), ("faults", row_faults),
            ("platform", row_platform), ("asyncio", row_asyncio), ("journal", row_journal))
    # `bench/run ROW...` measures only those rows (and prints their figures).
    chosen = set(sys.argv[1:])
    for key, row in rows:
        if chosen and key not in chosen:
            continue
        started = time.perf_counter()
        print(f"bench: {key} ...", file=sys.stderr, flush=True)
        results[key] = row()
        for journal in WORK.glob("journal-*.jsonl"):
            journal.unlink()
        print(f"bench: {key} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    if chosen:
        print(json.dumps(results, indent=2))
        return
    (WORK / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    print(f"\nfigures: {WORK / 'results.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
