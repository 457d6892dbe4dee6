"""`idv_delete.aio.Client`: deletions as coroutines, driven by `DeleteOp`
over httpx, against the in-process emulator: every vendor, the error kinds
the blocking classes' tests cover, cancellation, the Jumio Platform's
single-flight token, bounded answers, redirects, and 1,000 deletions at
50 ms latency in one event loop. Plain test functions run each coroutine
with `asyncio.run` (no pytest plugin)."""

from __future__ import annotations

import asyncio
import http.server
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Awaitable, Callable, Iterator, List, Tuple, TypeVar

import httpx
import pytest

import idv_delete
from idv_delete import aio
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_CLIENT_ID,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    PERSONA_READ_ONLY_KEY,
    Emulator,
)

from conftest import USER_AGENT, closed_url, refs, uuids
from test_client import every_credential, one_of_each

T = TypeVar("T")


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Runs one coroutine in a fresh event loop; afterwards no task of it
    is left (a deletion that outlived its test would be dangling)."""

    async def checked() -> T:
        try:
            return await make()
        finally:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            assert not others, f"tasks left running: {others}"

    return asyncio.run(checked())


def client_for(emulator: Emulator, **options: Any) -> aio.Client:
    settings: dict[str, Any] = {"base_url": emulator.base_url, "max_attempts": 10, "base_delay": 0.01}
    settings.update(options)
    return aio.Client(**every_credential(), **settings)


def jumio_only(base_url: str, **options: Any) -> aio.Client:
    credentials = idv_delete.JumioCredentials(JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT)
    return aio.Client(jumio=credentials, base_url=base_url, **options)


def scan(reference: str) -> idv_delete.Item:
    return idv_delete.Item("jumio", "scan", reference, region="us")


def applied(emulator: Emulator, product: str, reference: str) -> int:
    stats = emulator.stats().reference(product, reference)  # type: ignore[arg-type]
    return 0 if stats is None else stats.applied


def succeeded(outcome: object) -> str:
    """The outcome's class name, or "absence" for a deletion confirmed by a
    404 after a reset (in doubt): with random faults, any item may end so."""
    if isinstance(outcome, idv_delete.Deleted) and outcome.confirmed_by == "absence":
        return "absence"
    return type(outcome).__name__


def test_every_vendor_deleted_or_scheduled(emulator: Emulator) -> None:
    items = one_of_each(emulator)

    async def go() -> Tuple[List[Any], int]:
        async with client_for(emulator) as client:
            assert len(client.vendors) == 7
            outcomes = [await client.delete(item) for item in items]
            # Stripe's redaction is still processing; Veriff offers no read.
            assert isinstance(await client.recheck(items[6]), idv_delete.Scheduled)
            assert await client.recheck(items[7]) is None
            return outcomes, client.token_requests

    outcomes, token_requests = run(go)
    assert [type(o).__name__ for o in outcomes] == ["Deleted"] * 4 + ["Scheduled"] * 4
    # A scheduled erasure is never a deletion.
    assert not any(isinstance(o, idv_delete.Deleted) for o in outcomes[4:])
    assert token_requests == 1
    for item in items:
        product = "account" if item.vendor == "jumio-platform" else item.product
        assert applied(emulator, product, item.reference) == 1


def test_a_mixed_vendor_run_with_faults_keeps_the_order(emulator: Emulator) -> None:
    items: List[Any] = [*one_of_each(emulator), *one_of_each(emulator)]
    # Tuples are items too: (vendor, product, region, reference). The same
    # Stripe session twice: the second is already being erased.
    items.append(("stripe", "verification_session", None, items[6].reference))
    emulator.set_faults(seed=11, p503=0.1, p500=0.05, p429=0.05, retry_after_secs=1, p_reset_after=0.1)

    async def go(batch: List[Any]) -> List[aio.Outcome]:
        async with client_for(emulator) as client:
            return await client.delete_all(batch, concurrency=4)

    outcomes = run(lambda: go(items))
    assert len(outcomes) == len(items) == 17
    kinds = [succeeded(o) for o in outcomes[:-1]]
    # A later vendor's item is scheduled; after a reset (in doubt) its retry
    # may read a 404: deleted by absence, as the operation vectors say.
    expected = (["Deleted"] * 4 + ["Scheduled"] * 4) * 2
    assert all(got in (want, "absence") for got, want in zip(kinds, expected)), kinds
    assert not isinstance(outcomes[-1], idv_delete.Deleted) or outcomes[-1].confirmed_by == "absence"
    for item in items[:-1]:
        product = "account" if item.vendor == "jumio-platform" else item.product
        assert applied(emulator, product, item.reference) == 1, item
    assert sum(emulator.stats().faults.values()) > 0
    # Without faults, a failure is returned in its place, the others go on.
    emulator.set_faults()
    fresh = one_of_each(emulator)
    gone = scan(refs(1, "never")[0])
    outcomes = run(lambda: go([fresh[0], gone, *fresh[1:]]))
    assert isinstance(outcomes[1], idv_delete.NotFoundError) and outcomes[1].attempts == 1
    assert [type(o).__name__ for o in outcomes[2:]] == ["Deleted"] * 3 + ["Scheduled"] * 4


@pytest.mark.parametrize(
    "make_client, item, error, status",
    [
        (lambda url: jumio_only(url, max_attempts=1), scan("any-1"), idv_delete.NotFoundError, 404),
        (
            lambda url: aio.Client(
                jumio=idv_delete.JumioCredentials("wrong", "creds", USER_AGENT), base_url=url
            ),
            scan("any-2"),
            idv_delete.UnauthorizedError,
            401,
        ),
        (
            lambda url: aio.Client(persona=idv_delete.PersonaCredentials(PERSONA_READ_ONLY_KEY), base_url=url),
            ("persona", "inquiry", None, "inq_seeded"),
            idv_delete.ForbiddenError,
            403,
        ),
    ],
    ids=["not-found", "unauthorized", "forbidden"],
)
def test_refusals_are_not_retried(
    emulator: Emulator, make_client: Any, item: Any, error: "type[idv_delete.Error]", status: int
) -> None:
    emulator.seed("inquiry", ["inq_seeded"])

    async def go() -> None:
        async with make_client(emulator.base_url) as client:
            with pytest.raises(error) as caught:
                await client.delete(item)
            assert (caught.value.status, caught.value.attempts) == (status, 1)
            assert caught.value.in_doubt is False

    run(go)
    assert emulator.stats().total_requests == 1


def test_forbidden_when_not_allow_listed() -> None:
    with Emulator(hyperverge_allowed_ips=["192.0.2.1"]) as emulator:
        emulator.seed("transaction", ["t-1"])

        async def go() -> None:
            credentials = idv_delete.HyperVergeCredentials(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY)
            async with aio.Client(hyperverge=credentials, base_url=emulator.base_url) as client:
                with pytest.raises(idv_delete.ForbiddenError) as caught:
                    await client.delete(("hyperverge", "transaction", None, "t-1"))
                assert caught.value.vendor_message == "No whitelisted IPs match found"

        run(go)


def test_bad_input_sends_nothing(emulator: Emulator) -> None:
    async def go() -> None:
        only_jumio = jumio_only(emulator.base_url)
        async with only_jumio:
            with pytest.raises(idv_delete.InvalidReferenceError):
                await only_jumio.delete(("jumio", "scan", "us", "ref/../x"))
            with pytest.raises(idv_delete.InvalidConfigError, match="no Stripe"):
                await only_jumio.delete(("stripe", "verification_session", None, "vs_1"))
            with pytest.raises(idv_delete.InvalidConfigError):
                await only_jumio.delete_resumed(("jumio", "scan", None, "ref-1"))  # no region
            # A batch is checked whole before its first request.
            with pytest.raises(idv_delete.InvalidReferenceError):
                await only_jumio.delete_all([scan("fine-1"), ("jumio", "scan", "us", "bad ref")])
            with pytest.raises(idv_delete.InvalidConfigError, match="concurrency"):
                await only_jumio.delete_all([scan("fine-1")], concurrency=0)
            with pytest.raises(TypeError, match="not one item"):
                await only_jumio.delete_all(scan("fine-1"))  # type: ignore[arg-type]
            assert await only_jumio.delete_all([]) == []
        with pytest.raises(idv_delete.InvalidConfigError):
            aio.Client()
        with pytest.raises(idv_delete.InvalidConfigError):
            jumio_only(emulator.base_url, timeout=-1.0)
        with pytest.raises(TypeError, match="httpx.AsyncClient"):
            jumio_only(emulator.base_url, http_client="http")

    run(go)
    assert emulator.stats().total_requests == 0


def test_rate_limited_with_retry_after(emulator: Emulator) -> None:
    emulator.set_faults(p429=1.0, retry_after_secs=1)

    async def go() -> None:
        # Beyond max_retry_after: ends at once with the vendor's wait.
        async with jumio_only(emulator.base_url, max_retry_after=0.5) as client:
            with pytest.raises(idv_delete.RateLimitedError) as caught:
                await client.delete(scan("any"))
            assert (caught.value.status, caught.value.retry_after, caught.value.attempts) == (429, 1.0, 1)
        # Within it: waits the second out (asyncio.sleep), then gives up.
        async with jumio_only(emulator.base_url, max_attempts=2) as client:
            started = time.monotonic()
            with pytest.raises(idv_delete.RateLimitedError) as caught:
                await client.delete(scan("any"))
            assert caught.value.attempts == 2
            assert time.monotonic() - started >= 0.95

    run(go)


def test_server_errors_are_retried(emulator: Emulator) -> None:
    references = refs(20)
    emulator.seed("scan", references)

    async def go() -> None:
        emulator.set_faults(p503=1.0)
        async with jumio_only(emulator.base_url, max_attempts=3, base_delay=0.01) as client:
            with pytest.raises(idv_delete.ServerError) as caught:
                await client.delete(scan(references[0]))
            assert (caught.value.status, caught.value.attempts) == (503, 3)
            emulator.set_faults(seed=3, p500=0.1, p502=0.1, p503=0.1)
            client_many = client_for(emulator)
            async with client_many:
                outcomes = await client_many.delete_all([scan(r) for r in references])
            assert all(isinstance(o, idv_delete.Deleted) for o in outcomes), outcomes

    run(go)
    assert all(applied(emulator, "scan", r) == 1 for r in references)
    assert emulator.stats().total_requests > 21


def test_in_doubt_then_a_404_is_deleted_by_absence(emulator: Emulator) -> None:
    references = refs(30)
    emulator.seed("scan", references)

    async def go() -> None:
        async with client_for(emulator) as client:
            # A reset after the vendor applied it: in doubt; then resumed.
            emulator.set_faults(p_reset_after=1.0)
            one_shot = jumio_only(emulator.base_url, max_attempts=1)
            async with one_shot:
                with pytest.raises(idv_delete.IoError) as caught:
                    await one_shot.delete(scan(references[0]))
            assert caught.value.in_doubt is True
            emulator.set_faults()
            resumed = await client.delete_resumed(scan(references[0]))
            assert isinstance(resumed, idv_delete.Deleted) and resumed.confirmed_by == "absence"
            # A plain delete of the same would be not found.
            with pytest.raises(idv_delete.NotFoundError):
                await client.delete(scan(references[0]))
            # Within one op: the retry after an uncertain attempt reads the 404.
            emulator.set_faults(seed=9, p_reset_after=0.5)
            outcomes = await client.delete_all([scan(r) for r in references[1:]])
            assert all(isinstance(o, idv_delete.Deleted) for o in outcomes), outcomes
            by = [o.confirmed_by for o in outcomes if isinstance(o, idv_delete.Deleted)]
            assert "absence" in by and "response" in by, by

    run(go)
    assert all(applied(emulator, "scan", r) == 1 for r in references)


def test_timeouts_and_refused_connections(emulator: Emulator) -> None:
    emulator.seed("scan", ["slow"])

    async def go() -> None:
        emulator.set_faults(latency_ms=1000)
        async with jumio_only(emulator.base_url, max_attempts=1, timeout=0.2) as client:
            with pytest.raises(idv_delete.RequestTimeoutError) as caught:
                await client.delete(scan("slow"))
            assert caught.value.in_doubt is True  # the request had left
        emulator.set_faults()
        async with jumio_only(closed_url(), max_attempts=2, base_delay=0.01) as client:
            with pytest.raises(idv_delete.ConnectError) as refused:
                await client.delete(scan("slow"))
            assert (refused.value.in_doubt, refused.value.attempts) == (False, 2)

    run(go)


def test_not_deletable_yet(emulator: Emulator) -> None:
    session = str(uuid.uuid4())
    emulator.seed("session", [session], state="in_progress")

    async def go() -> None:
        async with client_for(emulator) as client:
            with pytest.raises(idv_delete.NotDeletableYetError) as caught:
                await client.delete(("veriff", "session", None, session))
            assert caught.value.status == 400

    run(go)


def test_jumio_platform_single_flight_revoked_and_refused(emulator: Emulator) -> None:
    accounts = uuids(30)
    emulator.seed("account", accounts)
    items = [idv_delete.Item("jumio-platform", "account", a, region="us") for a in accounts]

    async def go() -> None:
        emulator.set_faults(latency_ms=20)
        async with client_for(emulator) as client:
            # 20 at once, no token yet: one purchase, the others wait on it.
            outcomes = await client.delete_all(items[:20], concurrency=20)
            assert all(isinstance(o, idv_delete.Deleted) for o in outcomes), outcomes
            assert client.token_requests == 1
            # A revoked token: the 401 rejects it, one new one is bought.
            emulator.revoke_tokens()
            outcomes = await client.delete_all(items[20:], concurrency=10)
            assert all(isinstance(o, idv_delete.Deleted) for o in outcomes), outcomes
            assert client.token_requests == 2
        wrong = idv_delete.JumioPlatformCredentials(JUMIO_CLIENT_ID, "wrong", USER_AGENT)
        async with aio.Client(jumio_platform=wrong, base_url=emulator.base_url) as refused:
            results = await refused.delete_all(
                [("jumio-platform", "account", "eu", a) for a in uuids(5)], concurrency=5
            )
            assert all(isinstance(r, idv_delete.UnauthorizedError) for r in results), results
            assert refused.token_requests == 1  # refused once, remembered

    run(go)
    assert emulator.stats().token_requests == 3


def test_cancelled_mid_wait_leaves_nothing_dangling(emulator: Emulator) -> None:
    emulator.seed("scan", ["waiting"])
    emulator.set_faults(p429=1.0, retry_after_secs=30)

    async def go() -> None:
        async with jumio_only(emulator.base_url, max_retry_after=60.0) as client:
            task = asyncio.ensure_future(client.delete(scan("waiting")))
            while emulator.stats().total_requests < 1:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)  # now in the 30 s wait
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # A batch cancelled the same way: every worker stops.
            batch = asyncio.ensure_future(client.delete_all([scan(r) for r in refs(10)], concurrency=3))
            while emulator.stats().total_requests < 4:
                await asyncio.sleep(0.01)
            batch.cancel()
            with pytest.raises(asyncio.CancelledError):
                await batch
        await asyncio.sleep(0.1)

    started = time.monotonic()
    run(go)  # checks that no task is left
    assert time.monotonic() - started < 10
    assert emulator.stats().total_requests == 4


def test_cancelled_mid_exchange(emulator: Emulator) -> None:
    emulator.seed("scan", ["in-flight"])

    async def go() -> None:
        emulator.set_faults(latency_ms=300)
        async with client_for(emulator) as client:
            # Cancelled after the delete left: maybe applied; resumed.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.delete(scan("in-flight")), 0.1)
            emulator.set_faults()
            resumed = await client.delete_resumed(scan("in-flight"))
            assert isinstance(resumed, idv_delete.Deleted)

    run(go)
    assert applied(emulator, "scan", "in-flight") == 1


def test_cancelled_mid_token_purchase(misbehaving: str) -> None:
    """Cancelled while the token request is out: the state is freed, so the
    next deletion buys a token instead of awaiting that purchase forever."""
    item = idv_delete.Item("jumio-platform", "account", str(uuid.uuid4()), region="us")

    async def go() -> None:
        credentials = idv_delete.JumioPlatformCredentials(JUMIO_CLIENT_ID, "secret", USER_AGENT)
        async with aio.Client(jumio_platform=credentials, base_url=misbehaving, max_attempts=1) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.delete(item), 0.1)
            with pytest.raises(idv_delete.ServerError):
                await asyncio.wait_for(client.delete(item), 5)
            assert client.token_requests == 2

    run(go)


class _Answers(http.server.BaseHTTPRequestHandler):
    """A vendor gone wrong: DELETE /api/netverify/v2/scans/big answers 200
    with a body over the bound; any other path redirects to `target`; a
    token request (POST) is answered 503 after half a second."""

    target = ""

    def do_DELETE(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.endswith("/big"):
            body = b"x" * (aio.BODY_LIMIT + 1000)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(302)
            self.send_header("Location", f"{self.target}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(0.5)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def misbehaving(emulator: Emulator) -> Iterator[str]:
    handler = type("Answers", (_Answers,), {"target": emulator.base_url})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_long_bodies_are_in_doubt_and_redirects_not_followed(
    emulator: Emulator, misbehaving: str
) -> None:
    emulator.seed("scan", ["moved"])

    async def go() -> None:
        # Even a reused httpx client that follows redirects does not here.
        async with httpx.AsyncClient(follow_redirects=True) as http:
            client = jumio_only(misbehaving, max_attempts=1, http_client=http)
            async with client:
                with pytest.raises(idv_delete.IoError) as caught:
                    await client.delete(scan("big"))
                assert caught.value.in_doubt is True
                with pytest.raises(idv_delete.Error) as moved:
                    await client.delete(scan("moved"))
                assert moved.value.status == 302
            assert not http.is_closed  # not ours to close

    run(go)
    assert emulator.stats().total_requests == 0


def test_a_thousand_deletions_at_50_ms_in_one_loop(emulator: Emulator) -> None:
    references = refs(1000, "many")
    emulator.seed("scan", references)
    emulator.set_faults(latency_ms=50)

    async def go() -> List[aio.Outcome]:
        async with jumio_only(emulator.base_url) as client:
            return await client.delete_all([scan(r) for r in references], concurrency=100)

    outcomes = run(go)
    assert len(outcomes) == 1000
    assert all(isinstance(o, idv_delete.Deleted) for o in outcomes)
    assert emulator.stats().deletes_applied == 1000


def test_journaled_delete_many_from_asyncio(emulator: Emulator, tmp_path: Any) -> None:
    """The module docstring's recipe: the blocking batch on a thread, the
    loop free meanwhile, cancelled through its threading.Event."""
    references = refs(50)
    emulator.seed("scan", references)
    emulator.set_faults(latency_ms=20)
    blocking = idv_delete.Client(
        jumio=idv_delete.JumioCredentials(JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT),
        base_url=emulator.base_url,
    )
    journal = tmp_path / "erasure.journal"

    async def go() -> Tuple[idv_delete.BatchReport, int]:
        ticks = 0
        stop = threading.Event()
        batch = asyncio.ensure_future(asyncio.to_thread(
            blocking.delete_many, [scan(r) for r in references], journal=journal,
            concurrency=4, cancel=stop,
        ))
        while not batch.done():
            ticks += 1  # the loop runs while the batch works
            await asyncio.sleep(0.01)
            if ticks == 5:
                stop.set()
        return await batch, ticks

    report, ticks = run(go)
    assert report.cancelled and 0 < report.deleted < 50 and ticks >= 5
    again = blocking.delete_many([scan(r) for r in references], journal=journal)
    assert report.deleted + again.deleted == 50


def test_reprs_and_errors_show_no_secret(emulator: Emulator) -> None:
    secrets = [JUMIO_TOKEN, JUMIO_SECRET, HYPERVERGE_APP_KEY]

    async def go() -> None:
        async with client_for(emulator) as client:
            shown = repr(client)
            assert shown.startswith("aio.Client(vendors=("), shown
            with pytest.raises(idv_delete.NotFoundError) as caught:
                await client.delete(scan("absent"))
            for text in (shown, str(caught.value), repr(caught.value)):
                for secret in secrets:
                    assert secret not in text

    run(go)


def test_imported_without_httpx_names_the_extra() -> None:
    script = (
        "import sys; sys.modules['httpx'] = None\n"
        "import idv_delete\n"  # the package itself needs no httpx
        "try:\n"
        "    import idv_delete.aio\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "pip install 'idv-delete[async]'" in out.stdout, out


def _caused(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error, expected",
    [
        (httpx.ConnectError("refused"), ("connect", False)),
        (httpx.ConnectTimeout("slow"), ("timeout", False)),
        (httpx.PoolTimeout("busy"), ("timeout", False)),
        (httpx.ProxyError("proxy"), ("connect", False)),
        (httpx.LocalProtocolError("bad header"), ("io", False)),
        (httpx.ReadTimeout("slow"), ("timeout", True)),
        (httpx.WriteTimeout("slow"), ("timeout", True)),
        (httpx.ReadError("reset"), ("io", True)),
        (httpx.WriteError("reset"), ("io", True)),
        (httpx.RemoteProtocolError("disconnected"), ("io", True)),
        (_caused(httpx.ConnectError("handshake"), ssl.SSLCertVerificationError("unknown ca")), ("tls", False)),
        (_caused(httpx.ReadError("record"), ssl.SSLError("bad record mac")), ("tls", True)),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_transport_errors_map_to_kinds_and_sent(error: httpx.RequestError, expected: Tuple[str, bool]) -> None:
    failure = aio._transport_failure(error)
    assert (failure.kind, failure.sent) == expected


def test_a_tls_handshake_failure_is_tls_and_not_sent() -> None:
    """https to a server that answers plain HTTP at once: the handshake
    fails (an SSL error behind httpx's ConnectError)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_plain_http() -> None:
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_plain_http, daemon=True)
    thread.start()

    async def go() -> None:
        https = f"https://127.0.0.1:{listener.getsockname()[1]}"
        async with jumio_only(https, max_attempts=1, connect_timeout=5.0) as client:
            with pytest.raises(idv_delete.TlsError) as caught:
                await client.delete(scan("any"))
            assert caught.value.in_doubt is False

    run(go)
    thread.join()
