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

The Jumio Platform runs through a recording proxy in front of the emulator,
so the access tokens the emulator issues are known and checked too.
"""

from __future__ import annotations

import base64
import http.server
import json
import logging
import pickle
import re
import threading
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import idv_delete
from idv_delete.testing import Emulator

from conftest import USER_AGENT, closed_url, uuids

TOKEN = "CANARY-TOKEN-7f3a9c"
SECRET = "CANARY-SECRET-b41d2e"
APP_ID = "CANARY-APPID-93c0e1"
APP_KEY = "CANARY-APPKEY-d5a8f4"
CLIENT_ID = "CANARY-CLIENTID-0e7b26"
CLIENT_SECRET = "CANARY-CLIENTSECRET-a9f3c8"
ONFIDO_TOKEN = "CANARY-ONFIDO-4c2e7a"
PERSONA_KEY = "CANARY-PERSONA-8d1f3b"
STRIPE_KEY = "sk_test_CANARY-STRIPE-6a9e2d"
VERIFF_KEY = "CANARY-VERIFFKEY-1b7c5f"
VERIFF_SECRET = "CANARY-VERIFFSECRET-e3a0d9"
BASIC = base64.b64encode(f"{TOKEN}:{SECRET}".encode()).decode()
CLIENT_BASIC = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
#: Stripe's key may travel as Basic user with an empty password.
STRIPE_BASIC = base64.b64encode(f"{STRIPE_KEY}:".encode()).decode()
NEEDLES = (
    TOKEN, SECRET, APP_ID, APP_KEY, BASIC, CLIENT_ID, CLIENT_SECRET, CLIENT_BASIC,
    ONFIDO_TOKEN, PERSONA_KEY, STRIPE_KEY, STRIPE_BASIC, VERIFF_KEY, VERIFF_SECRET,
)
SUFFIXES = (
    "7f3a9c", "b41d2e", "93c0e1", "d5a8f4", "0e7b26", "a9f3c8",
    "4c2e7a", "8d1f3b", "6a9e2d", "1b7c5f", "e3a0d9",
)
#: The Jumio Platform access tokens issued during the running test (see
#: `TokenRecorder`): secrets like the others.
ISSUED_TOKENS: List[str] = []


def assert_clean(label: str, text: str) -> None:
    for needle in (*NEEDLES, *ISSUED_TOKENS):
        assert needle not in text, f"{label} leaks {needle!r}: {text!r}"
    lower = text.lower()
    for suffix in SUFFIXES:
        assert suffix not in lower, f"{label} leaks the canary suffix {suffix!r}: {text!r}"


def assert_clean_journal(label: str, text: str) -> None:
    """A journal's text, its hash chain values masked first: they are
    SHA-256 outputs over the very lines checked, whose random hex may hold a
    canary suffix by chance (about 1 in 400 for a journal of 100 lines)."""
    assert_clean(label, re.sub(r'"chain":"[0-9a-f]{64}"', '"chain":"<sha256>"', text))


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
    ISSUED_TOKENS.clear()
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
        jumio_client_id=CLIENT_ID,
        jumio_client_secret=CLIENT_SECRET,
        onfido_api_token=ONFIDO_TOKEN,
        persona_api_key=PERSONA_KEY,
        stripe_secret_key=STRIPE_KEY,
        veriff_api_key=VERIFF_KEY,
        veriff_shared_secret=VERIFF_SECRET,
        onfido_deletion_delay=0.2,
        stripe_redaction_delay=0.2,
        persona_children_delay=0.2,
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
        assert_clean_journal(f"journal {journal.name}", text)


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


class _Forward(http.server.BaseHTTPRequestHandler):
    """Forwards one request to the emulator and its answer back, keeping
    the access token of a token answer in `ISSUED_TOKENS`."""

    protocol_version = "HTTP/1.1"
    server: "TokenRecorder"

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in ("host", "connection", "content-length")
        }
        request = urllib.request.Request(
            self.server.target + self.path, data=body, method=self.command, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, answer_headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, payload = error.code, error.headers, error.read()
        if self.path.endswith("/oauth2/token") and status == 200:
            ISSUED_TOKENS.append(json.loads(payload)["access_token"])
        self.send_response(status)
        for name, value in answer_headers.items():
            if name.lower() not in ("connection", "content-length", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = forward
    do_DELETE = forward

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: stderr is checked for canaries, and is no place for a log."""


class TokenRecorder(http.server.ThreadingHTTPServer):
    """A loopback proxy in front of `target` that learns every access
    token the emulator issues, so the checks can look for it."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target = target
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "TokenRecorder":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


def platform_client(base_url: str, **options: object) -> idv_delete.JumioPlatform:
    platform = idv_delete.JumioPlatform(
        CLIENT_ID, CLIENT_SECRET, user_agent=USER_AGENT, region="eu", base_url=base_url, **options  # type: ignore[arg-type]
    )
    assert_clean_object("JumioPlatform", platform)
    return platform


def platform_calls(
    platform: idv_delete.JumioPlatform, account: str, workflow: str
) -> List[BaseException]:
    """Deletes the workflow then the account; checks and returns the errors."""
    errors: List[BaseException] = []
    for name, call in (
        ("workflow", lambda: platform.delete_workflow(account, workflow)),
        ("account", lambda: platform.delete_account(account)),
    ):
        try:
            deleted = call()
        except idv_delete.Error as error:
            assert_clean_error(f"platform {name}", error)
            errors.append(error)
        else:
            assert_clean_object("platform Deleted", deleted)
    return errors


def test_the_checker_finds_issued_tokens() -> None:
    ISSUED_TOKENS.append("an-issued-token-value")
    with pytest.raises(AssertionError):
        assert_clean("test", "Bearer an-issued-token-value")
    ISSUED_TOKENS.clear()


def test_platform_successes_revocation_and_not_found(tmp_path: Path) -> None:
    with canary_emulator() as emulator, TokenRecorder(emulator.base_url) as recorder:
        account, workflow = uuids(2)
        emulator.seed("workflow", [f"{account}/{workflow}"])
        platform = platform_client(recorder.base_url)
        assert platform_calls(platform, account, workflow) == []
        assert len(ISSUED_TOKENS) == 1
        # A revoked token: the client is refused (401 invalid_token) and buys another.
        emulator.revoke_tokens()
        errors = platform_calls(platform, account, workflow)
        assert [type(e) for e in errors] == [idv_delete.NotFoundError] * 2
        assert len(ISSUED_TOKENS) == 2
        accounts = uuids(20)
        emulator.seed("account", accounts)
        seen: List[str] = []
        for dry_run in (True, False):
            report = platform.delete_many(
                [*accounts, uuids(1)[0]],
                journal=tmp_path / "platform.journal",
                concurrency=4,
                progress=lambda p: seen.append(repr(p)),
                dry_run=dry_run,
            )
            assert_clean_object("platform BatchReport", report)
            for failure in report.failures:
                assert_clean_object("platform FailedItem", failure)
        assert (report.deleted, report.not_found) == (20, 1)
        report = platform.delete_many(
            [f"{account}/{workflow}"], product="workflow", progress=True
        )
        assert_clean_object("platform workflow BatchReport", report)
        for line in seen:
            assert_clean("platform Progress", line)
        assert_clean_journal("platform journal", (tmp_path / "platform.journal").read_text("utf-8"))
        assert_clean_object("Stats", emulator.stats())


@pytest.mark.parametrize(
    "faults",
    [
        {"p500": 1.0},
        {"p429": 1.0, "retry_after_secs": 0},
        {"p_reset_after": 1.0},
        {"p_truncate": 1.0},
        {"token_p500": 1.0},
        {"token_p503": 1.0},
    ],
    ids=["500", "429", "reset-after", "truncated", "token-500", "token-503"],
)
def test_platform_failures(faults: dict[str, float]) -> None:
    with canary_emulator() as emulator, TokenRecorder(emulator.base_url) as recorder:
        account, workflow = uuids(2)
        emulator.seed("workflow", [f"{account}/{workflow}"])
        emulator.set_faults(**faults)  # type: ignore[arg-type]
        platform = platform_client(recorder.base_url, max_attempts=2)
        errors = platform_calls(platform, account, workflow)
        assert len(errors) == 2
        report = platform.delete_many([account])
        assert report.failed_total == 1
        assert_clean_object("platform failed BatchReport", report)
        for failure in report.failures:
            assert_clean_error("platform batch failure", failure.error)


def test_platform_refused_client_credentials() -> None:
    with Emulator() as other:  # wants its own client credentials
        account, workflow = uuids(2)
        errors = platform_calls(platform_client(other.base_url), account, workflow)
        assert [type(e) for e in errors] == [idv_delete.UnauthorizedError] * 2
        assert all("client id" in str(e) for e in errors)
        assert other.stats().tokens_issued == 0


@pytest.mark.parametrize(
    "build",
    [
        lambda: idv_delete.JumioPlatform(f"{CLIENT_ID}:{CLIENT_SECRET}", CLIENT_SECRET, user_agent=USER_AGENT),
        lambda: idv_delete.JumioPlatform(CLIENT_ID, f"{CLIENT_SECRET}\n", user_agent=USER_AGENT),
        lambda: idv_delete.JumioPlatform(f" {CLIENT_ID}", CLIENT_SECRET, user_agent=USER_AGENT),
        lambda: idv_delete.JumioPlatform(
            CLIENT_ID, CLIENT_SECRET, user_agent=USER_AGENT,
            base_url=f"https://{CLIENT_ID}:{CLIENT_SECRET}@x.example",
        ),
    ],
)
def test_rejected_client_credentials_are_not_echoed(build: "object") -> None:
    with pytest.raises(idv_delete.InvalidConfigError) as caught:
        build()  # type: ignore[operator]
    assert_clean_error("rejected platform configuration", caught.value)


# The vendors that erase later: one table, each with a fresh id maker and
# the seed state whose delete is refused as not deletable yet (if any).
LATER = [
    (
        "onfido",
        lambda url, **o: idv_delete.Onfido(ONFIDO_TOKEN, base_url=url, **o),
        "delete_applicant", "applicant", lambda: uuids(1)[0], None,
    ),
    (
        "persona",
        lambda url, **o: idv_delete.Persona(PERSONA_KEY, base_url=url, **o),
        "delete_inquiry", "inquiry", lambda: f"inq_{uuids(1)[0].replace('-', '')}", "pending",
    ),
    (
        "stripe",
        lambda url, **o: idv_delete.Stripe(STRIPE_KEY, base_url=url, **o),
        "delete_verification_session", "verification_session",
        lambda: f"vs_{uuids(1)[0].replace('-', '')}", "processing",
    ),
    (
        "veriff",
        lambda url, **o: idv_delete.Veriff(VERIFF_KEY, VERIFF_SECRET, base_url=url, **o),
        "delete_session", "session", lambda: uuids(1)[0], "in_progress",
    ),
]


def later_calls(label: str, client: Any, method: str, product: str, ids: List[str]) -> List[BaseException]:
    """Deletes then rechecks each id; checks every result and error."""
    assert_clean_object(f"{label} client", client)
    errors: List[BaseException] = []
    for call in [lambda i=i: getattr(client, method)(i) for i in ids] + [
        lambda i=i: client.recheck(i, product=product) for i in ids
    ]:
        try:
            result = call()
        except idv_delete.Error as error:
            assert_clean_error(label, error)
            errors.append(error)
        else:
            assert_clean_object(f"{label} result", result)
    return errors


@pytest.mark.parametrize("vendor", LATER, ids=[v[0] for v in LATER])
def test_later_vendors_successes_refusals_and_not_yet(vendor: Tuple[Any, ...], tmp_path: Path) -> None:
    name, make, method, product, new_id, not_yet = vendor
    with canary_emulator() as emulator:
        ids = [new_id() for _ in range(2)]
        emulator.seed(product, ids)
        if not_yet:
            busy = new_id()
            emulator.seed(product, [busy], state=not_yet)
            ids.append(busy)
        client = make(emulator.base_url, max_attempts=1)
        later_calls(f"{name} success", client, method, product, ids)
        errors = later_calls(f"{name} again", client, method, product, ids)
        # Onfido answers a repeat with "already scheduled for deletion",
        # which reads as scheduled (the core's onfido module); the others
        # refuse it or no longer hold the record.
        assert errors or name == "onfido", "deleting again is refused or not found"
        emulator.set_faults(seed=3, p500=0.3, p429=0.3, retry_after_secs=0, p_truncate=0.2)
        more = [new_id() for _ in range(6)]
        emulator.seed(product, more)
        seen: List[str] = []
        report = client.delete_many(
            more + [new_id()], product=product, journal=tmp_path / "later.journal",
            progress=lambda p: seen.append(repr(p)),
        )
        assert_clean_object(f"{name} BatchReport", report)
        for failure in report.failures:
            assert_clean_object(f"{name} FailedItem", failure)
            assert_clean_error(f"{name} batch failure", failure.error)
        for line in seen:
            assert_clean(f"{name} Progress", line)
        assert_clean_journal(f"{name} journal", (tmp_path / "later.journal").read_text("utf-8"))
        assert_clean_object(f"{name} Stats", emulator.stats())
    with Emulator() as other:  # wants its own credentials: 401
        errors = later_calls(f"{name} 401", make(other.base_url), method, product, [new_id()])
        assert [type(e) for e in errors][:1] == [idv_delete.UnauthorizedError]


@pytest.mark.parametrize("vendor", LATER, ids=[v[0] for v in LATER])
def test_later_vendors_sans_io(vendor: Tuple[Any, ...]) -> None:
    name, make, _, product, new_id, _ = vendor
    request = make("https://proxy.example").build_request(new_id(), product=product)
    assert_clean_object(f"Request {name}", request)  # its headers hold the credentials
    assert_clean(f"{name} Request.url", request.url)
    assert_clean(f"{name} Request.body", request.body.decode())
    # The credentials travel in the headers, for the caller to send (Veriff's
    # shared secret only as the signature it keys).
    assert any(any(n in v for n in NEEDLES) for _, v in request.headers), request.headers
    for status, body in ((401, b'{"error":{"message":"bad"}}'), (500, b"<html/>"), (200, b"{}")):
        try:
            result = idv_delete.parse_response(request, status, {}, body)
        except idv_delete.Error as error:
            assert_clean_error(f"{name} parse_response {status}", error)
        else:
            assert_clean_object(f"{name} parse_response", result)


@pytest.mark.parametrize(
    "build",
    [
        lambda: idv_delete.Onfido(f"{ONFIDO_TOKEN}\n"),
        lambda: idv_delete.Persona(f" {PERSONA_KEY}"),
        lambda: idv_delete.Persona(PERSONA_KEY, base_url=f"https://{PERSONA_KEY}@x.example"),
        lambda: idv_delete.Stripe(STRIPE_KEY.replace("sk_", "pk_")),
        lambda: idv_delete.Stripe(f"{STRIPE_KEY}\u00e9"),
        lambda: idv_delete.Veriff(VERIFF_KEY, f"{VERIFF_SECRET}\t"),
        lambda: idv_delete.Veriff(f"{VERIFF_KEY} ", VERIFF_SECRET),
        lambda: idv_delete.Veriff(VERIFF_KEY, VERIFF_SECRET, base_url=f"http://{VERIFF_SECRET}@example.com"),
    ],
)
def test_later_rejected_credentials_are_not_echoed(build: "object") -> None:
    with pytest.raises(idv_delete.InvalidConfigError) as caught:
        build()  # type: ignore[operator]
    assert_clean_error("rejected later-vendor configuration", caught.value)


def canary_credentials() -> Dict[str, Any]:
    """Every vendor's canary credentials, as ``idv_delete.Client`` keywords."""
    return {
        "jumio": idv_delete.JumioCredentials(TOKEN, SECRET, USER_AGENT),
        "jumio_platform": idv_delete.JumioPlatformCredentials(CLIENT_ID, CLIENT_SECRET, USER_AGENT),
        "hyperverge": idv_delete.HyperVergeCredentials(APP_ID, APP_KEY),
        "onfido": idv_delete.OnfidoCredentials(ONFIDO_TOKEN),
        "persona": idv_delete.PersonaCredentials(PERSONA_KEY),
        "stripe": idv_delete.StripeCredentials(STRIPE_KEY),
        "veriff": idv_delete.VeriffCredentials(VERIFF_KEY, VERIFF_SECRET),
    }


def canary_items(emulator: Emulator) -> List[idv_delete.Item]:
    """One seeded item of every vendor."""
    account, applicant, session, hv = uuids(4)
    inquiry, vs = f"inq_{uuids(1)[0].replace('-', '')}", f"vs_{uuids(1)[0].replace('-', '')}"
    scan = f"scan-{uuids(1)[0][:8]}"
    for product, reference in [
        ("scan", scan), ("account", account), ("transaction", hv), ("applicant", applicant),
        ("inquiry", inquiry), ("verification_session", vs), ("session", session),
    ]:
        emulator.seed(product, [reference])  # type: ignore[arg-type]
    return [
        idv_delete.Item("jumio", "scan", scan, region="eu"),
        idv_delete.Item("jumio-platform", "account", account, region="eu"),
        idv_delete.Item("hyperverge", "transaction", hv),
        idv_delete.Item("onfido", "applicant", applicant, region="eu"),
        idv_delete.Item("persona", "inquiry", inquiry),
        idv_delete.Item("stripe", "verification_session", vs),
        idv_delete.Item("veriff", "session", session),
    ]


def checked_drive(label: str, op: idv_delete.DeleteOp, tokens: idv_delete.TokenState) -> None:
    """`sync_driver.drive`, checking every action, token and error it meets."""
    from sync_driver import TransportFailure, send

    assert_clean_object(f"{label} DeleteOp", op)
    while True:
        action = op.poll()
        assert_clean_object(f"{label} {type(action).__name__}", action)
        if isinstance(action, idv_delete.Send):
            try:
                status, headers, body = send(action.request)
            except TransportFailure as failure:
                op.handle_transport_error(failure.kind, failure.sent)
                continue
            op.handle_response(status, headers, body)
            rejected = op.take_rejected_token()
            if rejected is not None:
                tokens.reject(rejected)
        elif isinstance(action, idv_delete.Wait):
            time.sleep(action.seconds)
        elif isinstance(action, idv_delete.Authorize):
            got = tokens.poll(time.monotonic())
            assert_clean_object(f"{label} {type(got).__name__}", got)
            if isinstance(got, idv_delete.Use):
                assert_clean_object(f"{label} BearerToken", got.token)
                op.authorize(got.token)
            elif isinstance(got, idv_delete.Refused):
                assert_clean_error(f"{label} refusal", got.error)
                op.token_failed(got.error)
            elif isinstance(got, idv_delete.Send):
                status, headers, body = send(got.request)
                error = tokens.handle_response(time.monotonic(), status, headers, body)
                if error is not None:
                    assert_clean_error(f"{label} token error", error)
                    op.token_failed(error)
            assert_clean_object(f"{label} TokenState", tokens)
        else:
            assert isinstance(action, idv_delete.Done)
            if isinstance(action.outcome, BaseException):
                assert_clean_error(f"{label} outcome", action.outcome)
            return


def test_client_delete_ops_and_token_states(tmp_path: Path) -> None:
    with canary_emulator() as emulator, TokenRecorder(emulator.base_url) as recorder:
        credentials = canary_credentials()
        for name, value in credentials.items():
            assert_clean_object(f"{name} credentials", value)
        client = idv_delete.Client(**credentials, base_url=recorder.base_url, base_delay=0.01)
        assert_clean_object("Client", client)
        items = canary_items(emulator)
        report = client.delete_many(items, journal=tmp_path / "mixed.journal", progress=True)
        assert (report.deleted, report.scheduled) == (3, 4)
        assert_clean_object("Client BatchReport", report)
        assert_clean_journal("mixed journal", (tmp_path / "mixed.journal").read_text("utf-8"))
        tokens = client.token_state("eu")
        items = canary_items(emulator)
        emulator.set_faults(seed=5, p503=0.3, p_reset_after=0.1)
        for item in items:
            checked_drive(f"op {item.vendor}", client.delete_op(item, seed=1), tokens)
        # Again: each is gone (not found), and the revoked token's 401 is resent.
        emulator.set_faults()
        emulator.revoke_tokens()
        for item in items:
            checked_drive(f"op again {item.vendor}", client.delete_op(item, seed=2), tokens)
        assert len(ISSUED_TOKENS) >= 3
    # A token endpoint that refuses the client credentials.
    with Emulator() as other:
        refused = idv_delete.Client(**canary_credentials(), base_url=other.base_url)
        tokens = refused.token_state("eu")
        for seed in (1, 2):
            item = idv_delete.Item("jumio-platform", "account", uuids(1)[0], region="eu")
            checked_drive("refused op", refused.delete_op(item, seed=seed), tokens)
        assert tokens.token_requests == 1


def test_asyncio_client() -> None:
    """`idv_delete.aio.Client` (httpx, logging at DEBUG): successes with
    faults, not found after a revoked token, a refused client, a refused
    connection, a timeout, cancellation: no canary or issued token in any
    outcome, error, repr or log record."""
    import asyncio

    from idv_delete import aio

    def check(label: str, outcomes: List[Any]) -> None:
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                assert_clean_error(label, outcome)
            else:
                assert_clean_object(label, outcome)

    async def go(recorder_url: str, emulator: Emulator) -> None:
        async with aio.Client(**canary_credentials(), base_url=recorder_url, base_delay=0.01,
                              max_attempts=10) as client:
            assert_clean_object("aio.Client", client)
            emulator.set_faults(seed=5, p503=0.2, p_reset_after=0.1, p429=0.05, retry_after_secs=1)
            items = canary_items(emulator)
            first = await client.delete_all(items, concurrency=4)
            # Deleted or Scheduled (a reset, then a 404, is deleted by absence).
            assert not any(isinstance(o, idv_delete.Error) for o in first), first
            check("aio outcome", first)
            emulator.set_faults()
            emulator.revoke_tokens()
            again = await client.delete_all(items, concurrency=4)
            assert any(isinstance(o, idv_delete.Error) for o in again)
            check("aio again", again)
            assert client.token_requests == 2
            # Cancelled mid-exchange: nothing of it shown either.
            emulator.set_faults(latency_ms=500)
            try:
                await asyncio.wait_for(client.delete(items[0]), 0.05)
            except asyncio.TimeoutError as cancelled:
                assert_clean_error("aio cancelled", cancelled)
            emulator.set_faults()
        async with aio.Client(**canary_credentials(), base_url=closed_url(), max_attempts=1) as dead:
            check("aio refused connection", await dead.delete_all(canary_items(emulator)))
        async with aio.Client(**canary_credentials(), base_url=emulator.base_url,
                              max_attempts=1, timeout=0.05) as slow:
            emulator.set_faults(latency_ms=300)
            check("aio timeout", await slow.delete_all(canary_items(emulator)))
            emulator.set_faults()

    with canary_emulator() as emulator, TokenRecorder(emulator.base_url) as recorder:
        asyncio.run(go(recorder.base_url, emulator))
        assert len(ISSUED_TOKENS) >= 2

    async def refused() -> List[Any]:
        with Emulator() as other:  # knows none of the canary credentials
            async with aio.Client(**canary_credentials(), base_url=other.base_url) as client:
                return await client.delete_all(canary_items(other))

    outcomes = asyncio.run(refused())
    assert all(isinstance(o, (idv_delete.UnauthorizedError, idv_delete.ForbiddenError)) for o in outcomes), outcomes
    check("aio refused credentials", outcomes)
