"""The secret canary through Python.

Distinctive canary credentials, accepted by the emulator so that some calls
succeed, are used for full runs: successes, 401, 403, 429, 5xx with retries,
timeouts, resets, truncated answers, refused connections, batches with
journals and their resumes, dry runs, progress lines and callbacks, the
sans-IO requests and parse_response. No output on file descriptors 1 and 2,
log record, journal, exception (str, repr, args, attributes, traceback,
pickle) or repr may contain a canary, its distinctive suffix in any case,
or the base64 of ``token:secret``. Debug switches (``RUST_LOG=trace``,
``RUST_BACKTRACE=full``, logging at DEBUG) are on throughout.
"""

from __future__ import annotations

import base64
import logging
import pickle
import traceback
from pathlib import Path
from typing import Iterator, List

import pytest

import idv_delete
from idv_delete.testing import Emulator

from conftest import USER_AGENT, closed_url

TOKEN = "CANARY-TOKEN-7f3a9c"
SECRET = "CANARY-SECRET-b41d2e"
APP_ID = "CANARY-APPID-93c0e1"
APP_KEY = "CANARY-APPKEY-d5a8f4"
BASIC = base64.b64encode(f"{TOKEN}:{SECRET}".encode()).decode()
NEEDLES = (TOKEN, SECRET, APP_ID, APP_KEY, BASIC)
SUFFIXES = ("7f3a9c", "b41d2e", "93c0e1", "d5a8f4")


def assert_clean(label: str, text: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{label} leaks {needle!r}: {text!r}"
    lower = text.lower()
    for suffix in SUFFIXES:
        assert suffix not in lower, f"{label} leaks the canary suffix {suffix!r}: {text!r}"


def assert_clean_error(label: str, error: BaseException) -> None:
    """Every way an exception can be shown or kept."""
    texts = [
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        pickle.dumps(error).decode("latin-1"),
    ]
    if isinstance(error, idv_delete.Error):
        texts.append(repr(error.vendor_message))
        copy = pickle.loads(pickle.dumps(error))
        texts += [str(copy), repr(copy)]
    for text in texts:
        assert_clean(label, text)


def assert_clean_object(label: str, value: object) -> None:
    """The repr and str of `value` and of every public attribute."""
    assert_clean(f"repr {label}", repr(value))
    assert_clean(f"str {label}", str(value))
    for name in dir(value):
        if name.startswith("_") or (label.startswith("Request") and name == "headers"):
            # Request.headers is the one place holding the credentials, by design.
            continue
        attribute = getattr(value, name)
        if not callable(attribute):
            assert_clean(f"{label}.{name}", repr(attribute))


def test_the_checker_finds_what_it_looks_for() -> None:
    for leak in (TOKEN, SECRET.lower(), f"Authorization: Basic {BASIC}", f"appkey={APP_KEY}"):
        with pytest.raises(AssertionError):
            assert_clean("test", leak)


@pytest.fixture(autouse=True)
def debug_everything(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> Iterator[None]:
    """Debug switches on; afterwards every captured byte and record is checked."""
    monkeypatch.setenv("RUST_LOG", "trace")
    monkeypatch.setenv("RUST_BACKTRACE", "full")
    caplog.set_level(logging.DEBUG)
    yield
    out, err = capfd.readouterr()
    assert_clean("stdout", out)
    assert_clean("stderr", err)
    for record in caplog.records:
        assert_clean("log record", record.getMessage())


def canary_emulator(**options: object) -> Emulator:
    return Emulator(
        jumio_token=TOKEN,
        jumio_secret=SECRET,
        hyperverge_app_id=APP_ID,
        hyperverge_app_key=APP_KEY,
        **options,  # type: ignore[arg-type]
    )


def clients(base_url: str, **options: object) -> tuple[idv_delete.Jumio, idv_delete.HyperVerge]:
    jumio = idv_delete.Jumio(
        TOKEN, SECRET, user_agent=USER_AGENT, region="eu", base_url=base_url, **options  # type: ignore[arg-type]
    )
    hyperverge = idv_delete.HyperVerge(APP_ID, APP_KEY, base_url=base_url, **options)  # type: ignore[arg-type]
    assert_clean_object("Jumio", jumio)
    assert_clean_object("HyperVerge", hyperverge)
    return jumio, hyperverge


def delete_both(label: str, base_url: str, **options: object) -> List[BaseException]:
    """Deletes ref-1 and txn-1; checks and returns the errors."""
    jumio, hyperverge = clients(base_url, **options)
    errors: List[BaseException] = []
    for name, call in (
        ("scan", lambda: jumio.delete_scan("ref-1")),
        ("authentication", lambda: jumio.delete_authentication("ref-1")),
        ("document", lambda: jumio.delete_document("ref-1")),
        ("hyperverge", lambda: hyperverge.delete_transaction("txn-1")),
    ):
        try:
            deleted = call()
        except idv_delete.Error as error:
            assert_clean_error(f"{label} {name}", error)
            errors.append(error)
        else:
            assert_clean_object(f"{label} Deleted", deleted)
    return errors


def test_successes_then_not_found() -> None:
    with canary_emulator() as emulator:
        emulator.seed("scan", ["ref-1"])
        emulator.seed("authentication", ["ref-1"])
        emulator.seed("document", ["ref-1"])
        emulator.seed("transaction", ["txn-1"])
        assert delete_both("success", emulator.base_url) == []
        errors = delete_both("not found", emulator.base_url)
        assert [type(e) for e in errors] == [idv_delete.NotFoundError] * 4


def test_refused_credentials_and_forbidden() -> None:
    with Emulator() as other:  # wants its own credentials: 401
        errors = delete_both("401", other.base_url)
        assert [type(e) for e in errors] == [idv_delete.UnauthorizedError] * 4
    with canary_emulator(hyperverge_allowed_ips=["192.0.2.1"]) as forbidden:
        _, hyperverge = clients(forbidden.base_url)
        with pytest.raises(idv_delete.ForbiddenError) as caught:
            hyperverge.delete_transaction("txn-1")
        assert_clean_error("403", caught.value)


@pytest.mark.parametrize(
    "faults",
    [
        {"p500": 1.0},
        {"p503_retry_after": 1.0, "retry_after_secs": 0},
        {"p429": 1.0, "retry_after_secs": 0},
        {"p_reset_before": 1.0},
        {"p_reset_after": 1.0},
        {"p_truncate": 1.0},
    ],
    ids=["500", "503", "429", "reset-before", "reset-after", "truncated"],
)
def test_retried_failures(faults: dict[str, float]) -> None:
    with canary_emulator() as emulator:
        emulator.seed("scan", ["ref-1"])
        emulator.seed("transaction", ["txn-1"])
        emulator.set_faults(**faults)  # type: ignore[arg-type]
        errors = delete_both(str(faults), emulator.base_url, max_attempts=2)
        assert len(errors) == 4
        assert emulator.stats().total_requests == 8


def test_timeouts_and_refused_connections() -> None:
    with canary_emulator() as emulator:
        emulator.set_faults(latency_ms=1500)
        errors = delete_both("timeout", emulator.base_url, max_attempts=2, timeout=0.2)
        assert {type(e) for e in errors} == {idv_delete.RequestTimeoutError}
    errors = delete_both("connect", closed_url(), max_attempts=2)
    assert {type(e) for e in errors} == {idv_delete.ConnectError}


def test_batches_journals_progress_and_dry_runs(tmp_path: Path) -> None:
    references = [f"batch-{i:03}" for i in range(40)]
    with canary_emulator() as emulator:
        emulator.seed("scan", references)
        emulator.seed("transaction", references)
        jumio, hyperverge = clients(emulator.base_url, max_attempts=1)
        seen: List[str] = []

        def progress(p: idv_delete.Progress) -> None:
            seen.append(repr(p))

        for dry_run in (True, False):
            emulator.set_faults(
                seed=5,
                p503=0.2,
                p429=0.1,
                retry_after_secs=0,
                p_reset_before=0.1,
                p_reset_after=0.1,
                p_truncate=0.05,
            )
            reports = [
                jumio.delete_many(
                    references + ["never-seeded"],
                    journal=tmp_path / "jumio.journal",
                    concurrency=4,
                    progress=progress,
                    dry_run=dry_run,
                ),
                hyperverge.delete_many(
                    references,
                    journal=tmp_path / "hyperverge.journal",
                    concurrency=4,
                    progress=True,
                    dry_run=dry_run,
                ),
            ]
            for report in reports:
                assert_clean_object("BatchReport", report)
                for failure in report.failures:
                    assert_clean_object("FailedItem", failure)
                    assert_clean_error("batch failure", failure.error)
        assert reports[0].failed_total > 0
        # The resume, without faults, finishes both batches.
        emulator.set_faults()
        for report in (
            jumio.delete_many(
                references + ["never-seeded"], journal=tmp_path / "jumio.journal", progress=True
            ),
            hyperverge.delete_many(references, journal=tmp_path / "hyperverge.journal"),
        ):
            assert_clean_object("resumed BatchReport", report)
            assert report.failed_total == 0
        for line in seen:
            assert_clean("Progress", line)
    for journal in tmp_path.iterdir():
        text = journal.read_text(encoding="utf-8")
        assert len(text.splitlines()) > 40
        assert_clean(f"journal {journal.name}", text)


def test_sans_io_requests_and_answers() -> None:
    jumio, hyperverge = clients("https://proxy.example")
    for request in (
        jumio.build_request("ref-1"),
        jumio.build_request("ref-1", product="document"),
        hyperverge.build_request("txn-1"),
    ):
        assert_clean_object("Request", request)
        assert_clean("Request.url", request.url)
        assert_clean("Request.body", request.body.decode())
        # The credentials are there, for the caller to send...
        assert any(TOKEN in v or BASIC in v or APP_KEY in v for _, v in request.headers)
        # ...and every answer, good or bad, reads without them.
        for status, body in (
            (200, b'{"status":"success","statusCode":"200","message":"ok","deletedAudits":["a"]}'),
            (401, b'{"status":"failure","statusCode":"401","error":"Missing/Invalid credentials"}'),
            (403, b'{"status":"forbidden","statusCode":"403","message":"No whitelisted IPs match found"}'),
            (429, b""),
            (500, b"<html>Internal Server Error</html>"),
            (302, b""),
        ):
            try:
                deleted = idv_delete.parse_response(
                    request, status, {"Retry-After": "1", "Location": "https://x.example"}, body
                )
            except idv_delete.Error as error:
                assert_clean_error(f"parse_response {status}", error)
            else:
                assert_clean_object("parse_response Deleted", deleted)


@pytest.mark.parametrize(
    "build",
    [
        lambda: idv_delete.Jumio(f"{TOKEN}:{SECRET}", SECRET, user_agent=USER_AGENT),
        lambda: idv_delete.Jumio(TOKEN, f"{SECRET}\n", user_agent=USER_AGENT),
        lambda: idv_delete.Jumio(f" {TOKEN}", SECRET, user_agent=USER_AGENT),
        lambda: idv_delete.Jumio(TOKEN, SECRET, user_agent=USER_AGENT, base_url=f"https://{TOKEN}:{SECRET}@x.example"),
        lambda: idv_delete.HyperVerge(APP_ID, f"{APP_KEY}\t"),
        lambda: idv_delete.HyperVerge(f"{APP_ID}\u00e9", APP_KEY),
        lambda: idv_delete.HyperVerge(APP_ID, APP_KEY, host=f"{APP_KEY}@x.example"),
        lambda: idv_delete.HyperVerge(APP_ID, APP_KEY, base_url=f"http://{APP_ID}:{APP_KEY}@example.com"),
    ],
)
def test_rejected_credentials_are_not_echoed(build: "object") -> None:
    with pytest.raises(idv_delete.InvalidConfigError) as caught:
        build()  # type: ignore[operator]
    assert_clean_error("rejected configuration", caught.value)
