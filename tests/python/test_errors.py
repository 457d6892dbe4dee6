"""Every error kind: the table from kind to class, and each kind driven for
real against the emulator (or, for answers the emulator never gives a
correct client, through parse_response)."""

from __future__ import annotations

import pickle
import signal
import re
import socket
import threading
from pathlib import Path

import pytest

import idv_delete
from idv_delete import _errors
from idv_delete.testing import HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, Emulator

from conftest import USER_AGENT, closed_url, fast_jumio, refs


def test_one_class_per_core_kind() -> None:
    """Walks the Rust core's ErrorKind::ALL against the one table."""
    assert len(idv_delete.ERROR_KINDS) == 16
    assert set(_errors._CLASSES) == set(idv_delete.ERROR_KINDS) | {"journal"}
    for kind in idv_delete.ERROR_KINDS:
        cls = _errors._CLASSES[kind]
        camel = "".join(part.capitalize() for part in kind.split("_"))
        # The one exception to the naming rule: "TimeoutError" would shadow
        # the builtin on `from idv_delete import *`.
        assert cls.__name__ == ("RequestTimeoutError" if kind == "timeout" else camel + "Error")
        assert getattr(idv_delete, cls.__name__) is cls
        assert issubclass(cls, idv_delete.Error)
        assert cls.kind == kind
        error = _errors._from_native(kind, "message", 418, "vendor", 1.5, 2, True)
        assert type(error) is cls
        assert (error.status, error.vendor_message, error.retry_after) == (418, "vendor", 1.5)
        assert (error.attempts, error.in_doubt, str(error)) == (2, True, "message")


def test_value_errors() -> None:
    assert issubclass(idv_delete.InvalidReferenceError, ValueError)
    assert issubclass(idv_delete.InvalidConfigError, ValueError)
    assert issubclass(idv_delete.InvalidSubjectError, ValueError)
    assert not issubclass(idv_delete.NotFoundError, ValueError)


def test_errors_pickle_with_their_attributes() -> None:
    error = _errors._from_native("rate_limited", "slow down", 429, "busy", 3.0, 1, False)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is idv_delete.RateLimitedError
    assert (str(copy), copy.status, copy.retry_after) == ("slow down", 429, 3.0)


@pytest.mark.parametrize("reference", ["", "a#x", "a/b", "x" * 37, "ref\n", "é"])
def test_invalid_reference(jumio: idv_delete.Jumio, reference: str) -> None:
    with pytest.raises(idv_delete.InvalidReferenceError) as caught:
        jumio.delete_scan(reference)
    assert caught.value.kind == "invalid_reference"
    assert caught.value.attempts == 0
    assert caught.value.status is None
    with pytest.raises(ValueError):
        jumio.build_request(reference)


@pytest.mark.parametrize("subject", ["", " customer-1", "customer\n1", "x" * 129])
def test_invalid_subject(emulator: Emulator, subject: str) -> None:
    client = idv_delete.Client(
        hyperverge=idv_delete.HyperVergeCredentials(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY),
        base_url=emulator.base_url,
    )
    emulator.seed("transaction", ["HV-1"])
    with pytest.raises(idv_delete.InvalidSubjectError) as caught:
        client.delete(("hyperverge", "transaction", None, "HV-1", subject))
    assert caught.value.kind == "invalid_subject"
    assert caught.value.attempts == 0 and caught.value.status is None
    assert "1-128 characters" in str(caught.value)
    with pytest.raises(ValueError):
        idv_delete.Item("hyperverge", "transaction", "HV-1", subject=subject)
    assert emulator.stats().deletes_applied == 0


def test_invalid_hyperverge_id(hyperverge: idv_delete.HyperVerge) -> None:
    with pytest.raises(idv_delete.InvalidReferenceError):
        hyperverge.delete_transaction("bad\x00id")


@pytest.mark.parametrize(
    "options",
    [
        {"region": "mars"},
        {"base_url": "http://example.com"},  # plain http off loopback
        {"base_url": "https://user:pw@example.com"},
        {"timeout": -1.0},
        {"timeout": 0.0},
        {"connect_timeout": float("nan")},
        {"max_attempts": 0},
        {"max_attempts": -3},
        {"user_agent": ""},
        {"user_agent": "bad\nagent"},
    ],
)
def test_invalid_config(options: dict[str, object]) -> None:
    settings: dict[str, object] = {"user_agent": USER_AGENT}
    settings.update(options)
    with pytest.raises(idv_delete.InvalidConfigError) as caught:
        idv_delete.Jumio("token", "secret", **settings)  # type: ignore[arg-type]
    assert caught.value.kind == "invalid_config"


def test_invalid_config_credentials_and_options(jumio: idv_delete.Jumio) -> None:
    with pytest.raises(idv_delete.InvalidConfigError):
        idv_delete.Jumio("to:ken", "secret", user_agent=USER_AGENT)
    with pytest.raises(idv_delete.InvalidConfigError):
        idv_delete.HyperVerge("id", "key with space")
    with pytest.raises(idv_delete.InvalidConfigError):
        idv_delete.HyperVerge("id", "key", host="h.example", base_url="https://h.example")
    with pytest.raises(idv_delete.InvalidConfigError):
        jumio.delete_many([], product="selfie")  # type: ignore[arg-type]
    with pytest.raises(idv_delete.InvalidConfigError):
        jumio.delete_many([], concurrency=0)
    with pytest.raises(idv_delete.InvalidConfigError):
        jumio.delete_many([], concurrency=-1)
    with pytest.raises(idv_delete.InvalidConfigError):
        jumio.delete_many([], rate=0.0)


def test_not_found(jumio: idv_delete.Jumio) -> None:
    with pytest.raises(idv_delete.NotFoundError) as caught:
        jumio.delete_scan("never-seeded")
    error = caught.value
    assert (error.kind, error.status, error.attempts, error.in_doubt) == ("not_found", 404, 1, False)
    assert "never-seeded" in str(error)


def test_unauthorized(emulator: Emulator) -> None:
    client = idv_delete.Jumio("wrong", "creds", user_agent=USER_AGENT, base_url=emulator.base_url)
    with pytest.raises(idv_delete.UnauthorizedError) as caught:
        client.delete_scan("any")
    assert caught.value.status == 401
    assert caught.value.attempts == 1  # 401 is never retried


def test_forbidden_when_not_allow_listed() -> None:
    with Emulator(hyperverge_allowed_ips=["192.0.2.1"]) as emulator:
        emulator.seed("transaction", ["t-1"])
        client = idv_delete.HyperVerge(
            HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, base_url=emulator.base_url
        )
        with pytest.raises(idv_delete.ForbiddenError) as caught:
            client.delete_transaction("t-1")
    assert caught.value.status == 403
    assert caught.value.vendor_message == "No whitelisted IPs match found"


def test_rate_limited(emulator: Emulator) -> None:
    emulator.set_faults(p429=1.0, retry_after_secs=7)
    with pytest.raises(idv_delete.RateLimitedError) as caught:
        fast_jumio(emulator).delete_scan("any")
    assert (caught.value.status, caught.value.retry_after) == (429, 7.0)


def test_server(emulator: Emulator) -> None:
    emulator.set_faults(p500=1.0)
    with pytest.raises(idv_delete.ServerError) as caught:
        fast_jumio(emulator).delete_scan("any")
    assert caught.value.status == 500


def test_server_retried_then_deleted(emulator: Emulator) -> None:
    # One 503 then success: the default policy retries (after a short
    # backoff) and reports both attempts.
    [ref] = refs(1)
    emulator.seed("scan", [ref])
    emulator.set_faults(p503=0.5, seed=3)
    client = fast_jumio(emulator, max_attempts=10)
    deleted = client.delete_scan(ref)
    assert deleted.attempts >= 1
    stats = emulator.stats()
    assert stats.total_requests == deleted.attempts
    counts = stats.reference("scan", ref)
    assert counts is not None and counts.applied == 1


def test_timeout(emulator: Emulator) -> None:
    emulator.set_faults(latency_ms=400)
    with pytest.raises(idv_delete.RequestTimeoutError) as caught:
        fast_jumio(emulator, timeout=0.05).delete_scan("any")
    assert caught.value.kind == "timeout"
    assert caught.value.status is None
    assert caught.value.in_doubt  # the request left: it may have been applied
    # Also the builtin, so `except TimeoutError` (or OSError) catches it.
    assert isinstance(caught.value, TimeoutError)
    assert (caught.value.errno, str(caught.value)) == (None, caught.value.args[0])


def test_connect() -> None:
    client = idv_delete.Jumio(
        "t", "s", user_agent=USER_AGENT, base_url=closed_url(),
        max_attempts=1,
    )
    with pytest.raises(idv_delete.ConnectError) as caught:
        client.delete_scan("any")
    assert (caught.value.kind, caught.value.in_doubt) == ("connect", False)


def test_io_reset_before(emulator: Emulator) -> None:
    emulator.set_faults(p_reset_before=1.0)
    with pytest.raises(idv_delete.IoError) as caught:
        fast_jumio(emulator).delete_scan("any")
    assert caught.value.kind == "io"


def test_io_reset_after_is_in_doubt(emulator: Emulator) -> None:
    [ref] = refs(1)
    emulator.seed("scan", [ref])
    emulator.set_faults(p_reset_after=1.0)
    with pytest.raises(idv_delete.IoError) as caught:
        fast_jumio(emulator).delete_scan(ref)
    assert caught.value.in_doubt
    counts = emulator.stats().reference("scan", ref)
    assert counts is not None and counts.applied == 1


def test_tls_with_a_server_that_does_not_speak_it() -> None:
    # An https base URL to a loopback server answering plain HTTP: the TLS
    # handshake fails, and TLS failures are never retried.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def answer_plain_http() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")

        thread = threading.Thread(target=answer_plain_http)
        thread.start()
        client = idv_delete.Jumio(
            "t", "s", user_agent=USER_AGENT, base_url=f"https://127.0.0.1:{port}", timeout=5.0
        )
        with pytest.raises(idv_delete.TlsError) as caught:
            client.delete_scan("any")
        thread.join()
    assert (caught.value.kind, caught.value.attempts) == ("tls", 1)


def _answer(
    status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> idv_delete.Deleted | idv_delete.Scheduled:
    client = idv_delete.HyperVerge("id", "key")
    request = client.build_request("t-1")
    return idv_delete.parse_response(request, status, headers or {}, body)


def test_invalid_input_through_parse_response() -> None:
    body = b'{"status":"failure","statusCode":"422","error":"\\"transactionId\\" is required"}'
    with pytest.raises(idv_delete.InvalidInputError) as caught:
        _answer(422, body)
    assert caught.value.vendor_message == '"transactionId" is required'


@pytest.mark.parametrize(
    ("status", "body"),
    [(302, b""), (418, b""), (200, b'{"status":"failure"}'), (200, b"not json")],
)
def test_unexpected_response_through_parse_response(status: int, body: bytes) -> None:
    with pytest.raises(idv_delete.UnexpectedResponseError) as caught:
        _answer(status, body)
    assert caught.value.status == status


def test_not_deletable_yet() -> None:
    """Veriff's 1305/1306, Stripe's refused states and Persona's 409 drive
    this kind once their core modules land (their vector and emulator tests
    then); until then, what this binding owns: the class the native module
    builds for the kind, and a batch report counting it as a failure."""
    error = _errors._from_native(
        "not_deletable_yet", "not deletable yet: retry later", 400,
        "Session is not in a completed status.", None, 1, False,
    )
    with pytest.raises(idv_delete.NotDeletableYetError) as caught:
        raise error
    assert caught.value.kind == "not_deletable_yet"
    assert caught.value.vendor_message == "Session is not in a completed status."
    # The record is fine, only not ready: not a ValueError like bad input.
    assert not isinstance(caught.value, ValueError)
    report = idv_delete.BatchReport._restore(  # type: ignore[attr-defined]
        [0] * 11, [("not_deletable_yet", 2)], 0, (False, False), (), ()
    )
    assert (report.failed, report.failed_total, report.done) == ({"not_deletable_yet": 2}, 2, 2)
    assert not report.all_succeeded


def test_every_kind_is_driven() -> None:
    """Guards this file: a new core kind needs a test here."""
    source = open(__file__, encoding="utf-8").read()
    for kind in idv_delete.ERROR_KINDS:
        cls = _errors._CLASSES[kind].__name__
        assert re.search(rf"pytest\.raises\(idv_delete\.{cls}\)", source), cls


class _Stop(Exception):
    """Raised by a SIGALRM handler to stop a batch paused by a 429."""


def test_cancelled(emulator: Emulator, jumio: idv_delete.Jumio, tmp_path: Path) -> None:
    # Any exception from a signal handler stops a batch at once, as Ctrl-C
    # does; the items cut short are CancelledError, not in doubt (a 429).
    emulator.seed("scan", ["cut-1"])
    emulator.set_faults(p429=1.0, retry_after_secs=60)

    def stop(signum: int, frame: object) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(_Stop) as stopped:
            jumio.delete_many(["cut-1"], journal=tmp_path / "cut.journal")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    report = stopped.value.report  # type: ignore[attr-defined]
    assert report.cancelled
    assert report.failed == {"cancelled": 1}
    with pytest.raises(idv_delete.CancelledError) as caught:
        raise report.failures[0].error
    assert caught.value.kind == "cancelled"
    assert caught.value.in_doubt is False
    assert caught.value.attempts == 1
