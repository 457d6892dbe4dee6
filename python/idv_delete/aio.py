"""Delete from asyncio: :class:`Client`, whose deletions are coroutines.

Many deletions run concurrently in one event loop, each driven by the core's
retrying state machine (:class:`idv_delete.DeleteOp`) over ``httpx``: the
retries, ``Retry-After``, backoff and the rule that a 404 after an uncertain
attempt confirms a deletion are the Rust core's, as in the blocking
:class:`idv_delete.Client`, and so are the outcomes (:class:`Deleted`, or
:class:`Scheduled`: accepted, erased later, never a deletion) and the
exceptions (the :class:`idv_delete.Error` subclasses). Needs the ``async``
extra: ``pip install 'idv-delete[async]'``::

    import idv_delete
    from idv_delete import aio

    async def main() -> None:
        async with aio.Client(
            jumio=idv_delete.JumioCredentials(token, secret, "Acme KYC-Cleaner/1.0"),
            stripe=idv_delete.StripeCredentials(secret_key),
        ) as client:
            await client.delete(idv_delete.Item("jumio", "scan", "2b6f4c1e-...", region="eu"))
            outcomes = await client.delete_all(items, concurrency=64)
            for item, outcome in zip(items, outcomes):
                if isinstance(outcome, idv_delete.Error):
                    ...   # this item failed; the others went on

The constructor takes the keywords of :class:`idv_delete.Client` and
``http_client=``, an ``httpx.AsyncClient`` of yours to reuse (its pool,
proxies and TLS settings; this client still sends every request with its own
timeouts and never follows a redirect). Without it the client opens its own
connections, with httpx's transports (which read no ``HTTPS_PROXY``: to go
through a proxy, give an ``http_client`` made with ``proxy=``); close them
with ``async with`` or ``await client.aclose()``. Use a client in one event
loop.

Cancelling a deletion's task (``task.cancel()``, ``asyncio.wait_for``)
cancels its op during a wait or an exchange and the ``asyncio.CancelledError``
propagates; no journal records it here: when cancelled after sending, the
deletion may have been applied (delete it again with ``delete_resumed``).

For a journaled, resumable batch (millions of items, ``idv-delete verify``),
run the blocking :meth:`idv_delete.Client.delete_many` on a worker thread: it
releases the GIL while it works, so the event loop keeps running, and its
``cancel=`` ``threading.Event`` stops it (items cut short are journaled as
cancelled; run it again with the same journal to resume)::

    stop = threading.Event()
    blocking = idv_delete.Client(jumio=..., stripe=...)
    try:
        report = await asyncio.to_thread(
            blocking.delete_many, items, journal="erasure.journal", cancel=stop)
    except asyncio.CancelledError:
        stop.set()      # the thread finishes its in-flight items and returns
        raise
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import time
from types import TracebackType
from typing import (
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    NoReturn,
    Optional,
    Tuple,
    Type,
    Union,
)

try:
    import httpx
except ImportError as missing:  # tests/python/test_aio.py imports it with httpx hidden
    raise ImportError(
        "idv_delete.aio needs httpx, the optional 'async' extra: pip install 'idv-delete[async]'"
    ) from missing

from . import _native
from ._errors import Error, InvalidConfigError
from ._native import (
    Authorize,
    DeleteOp,
    Deleted,
    HyperVergeCredentials,
    Item,
    JumioCredentials,
    JumioPlatformCredentials,
    OnfidoCredentials,
    PersonaCredentials,
    Refused,
    Request,
    Scheduled,
    Send,
    StripeCredentials,
    TokenState,
    Use,
    VeriffCredentials,
    Wait,
)
from ._types import Region, Vendor

__all__ = ["BODY_LIMIT", "Client"]

#: The longest answer body read (bytes): a vendor's delete answer is a few
#: hundred bytes. A longer one is a transport failure ``"io"`` after sending
#: (in doubt): a hostile or broken server cannot make the client buffer more.
BODY_LIMIT = 64 * 1024

#: How many httpx transports (connection pools) the client's own
#: connections are spread over. httpcore 1.0's pool scans every connection of
#: the pool, and for each idle one the whole pool again, whenever a request
#: starts or ends: with 50 connections in one pool that is most of the
#: client's CPU time (measured: 1,000 deletions, 50 in flight, at 50 ms
#: latency took 10.5 s in one pool, 1.5-1.9 s in eight; 16 to 64 gained
#: nothing more). Each request takes the next pool in turn.
_POOLS = 8

#: Sent unless the request has its own: answers uncompressed, so that
#: BODY_LIMIT bounds the bytes received; the blocking client's user agent.
_DEFAULT_HEADERS = (
    ("accept-encoding", "identity"),
    ("user-agent", f"idv-delete/{_native.__version__}"),
)

#: An item: an ``Item`` or a ``(vendor, product, region, reference)`` tuple,
#: optionally with a fifth element, the subject.
ItemArg = Union[
    Item,
    Tuple[str, str, Optional[str], str],
    Tuple[str, str, Optional[str], str, Optional[str]],
]
#: What a deletion ends with: the erasure, or the error (``delete_all``).
Outcome = Union[Deleted, Scheduled, Error]
_Answer = Tuple[int, List[Tuple[str, str]], bytes]
_Kind = Literal["timeout", "connect", "tls", "io"]


class _TransportFailure(Exception):
    """No answer: ``kind`` as ``DeleteOp.handle_transport_error`` takes it;
    ``sent`` whether any byte of the request may have reached the vendor.
    Internal: never leaves this module, and carries no httpx text (which may
    quote a header)."""

    def __init__(self, kind: _Kind, sent: bool) -> None:
        super().__init__(kind)
        self.kind = kind
        self.sent = sent


def _is_tls(error: BaseException) -> bool:
    """Whether an ``ssl.SSLError`` is behind ``error`` (httpx wraps it)."""
    seen: Optional[BaseException] = error
    for _ in range(8):  # a chain of causes is short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _transport_failure(error: httpx.RequestError) -> _TransportFailure:
    """Maps an httpx failure to a transport kind and whether it was sent.

    Not sent: no connection was made (``ConnectError``, ``ConnectTimeout``,
    a proxy or an unsupported scheme), no pooled connection was free
    (``PoolTimeout``), or h11 refused the request before writing it
    (``LocalProtocolError``). An ``ssl.SSLError`` behind the failure makes
    it ``"tls"`` (in a handshake: not sent). Everything else happened on a
    connection that carried the request, or may have: in doubt
    (``ReadTimeout``, ``WriteTimeout``, ``ReadError``, ``WriteError``,
    ``RemoteProtocolError``: a reset, a keep-alive connection closed under
    us).
    """
    sent = not isinstance(
        error,
        (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.ProxyError,
            httpx.UnsupportedProtocol,
            httpx.LocalProtocolError,
        ),
    )
    if _is_tls(error):
        return _TransportFailure("tls", sent)
    if isinstance(error, httpx.TimeoutException):
        return _TransportFailure("timeout", sent)
    if isinstance(error, (httpx.ConnectError, httpx.ProxyError, httpx.UnsupportedProtocol)):
        return _TransportFailure("connect", False)
    return _TransportFailure("io", sent)


class _Tokens:
    """The Jumio Platform's token state of one region, and the lock that
    makes its purchase single flight: the op that holds the lock buys the
    token while the others wait on the lock, then find it in the state."""

    def __init__(self, state: TokenState) -> None:
        self.state = state
        self.lock = asyncio.Lock()


class Client:
    """One client for every vendor whose credentials it is given, for asyncio.

    ``Client(*, jumio=None, jumio_platform=None, hyperverge=None, onfido=None,
    persona=None, stripe=None, veriff=None, base_url=None, base_urls=None,
    connect_timeout=10.0, timeout=30.0, max_attempts=4, base_delay=0.5,
    max_delay=20.0, max_retry_after=120.0, http_client=None)``: the keywords
    of :class:`idv_delete.Client` (checked the same way, before anything is
    sent), plus ``http_client``. ``connect_timeout`` bounds connecting;
    ``timeout`` bounds each of sending the request, awaiting the answer and
    reading each part of its body.

    The client's own connection pools have no cap: ``delete_all``'s
    ``concurrency`` bounds the connections; if you gather ``delete`` calls
    yourself, bound them (an ``asyncio.Semaphore``) or pass an
    ``http_client`` with ``httpx.Limits``. Its repr shows no credential.
    """

    def __init__(
        self,
        *,
        jumio: Optional[JumioCredentials] = None,
        jumio_platform: Optional[JumioPlatformCredentials] = None,
        hyperverge: Optional[HyperVergeCredentials] = None,
        onfido: Optional[OnfidoCredentials] = None,
        persona: Optional[PersonaCredentials] = None,
        stripe: Optional[StripeCredentials] = None,
        veriff: Optional[VeriffCredentials] = None,
        base_url: Optional[str] = None,
        base_urls: Optional[Mapping[Vendor, str]] = None,
        connect_timeout: float = 10.0,
        timeout: float = 30.0,
        max_attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        max_retry_after: float = 120.0,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        # The native client checks every value (timeouts included) and keeps
        # the credentials, endpoints and retry policy the ops are made from.
        self._native = _native.Client(
            jumio=jumio,
            jumio_platform=jumio_platform,
            hyperverge=hyperverge,
            onfido=onfido,
            persona=persona,
            stripe=stripe,
            veriff=veriff,
            base_url=base_url,
            base_urls=base_urls,
            connect_timeout=connect_timeout,
            timeout=timeout,
            max_attempts=max_attempts,
            base_delay=base_delay,
            max_delay=max_delay,
            max_retry_after=max_retry_after,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}"
            )
        # Per request, so that a reused http_client gets them too; waiting
        # for a free pooled connection is not an attempt: no pool timeout.
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout, pool=None)
        self._http = http_client
        # Without a client of yours: httpx transports (pools) of our own,
        # sent to directly. Skipping the httpx.AsyncClient layer (cookies,
        # auth, redirects, hooks: none of which a deletion uses) saves about
        # a fifth of the CPU per deletion; one TLS context serves them all
        # (loading the CA bundle is slow).
        self._transports: List[httpx.AsyncHTTPTransport] = []
        if http_client is None:
            tls = httpx.create_ssl_context()
            unbounded = httpx.Limits(max_connections=None, max_keepalive_connections=None)
            self._transports = [
                httpx.AsyncHTTPTransport(verify=tls, limits=unbounded) for _ in range(_POOLS)
            ]
        self._turn = 0
        self._tokens: Dict[str, _Tokens] = {}

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connections this client opened (not those of an
        ``http_client`` you gave it: closing that is yours)."""
        for transport in self._transports:
            await transport.aclose()

    @property
    def vendors(self) -> Tuple[Vendor, ...]:
        """The vendors this client has credentials for, by name."""
        return self._native.vendors

    @property
    def token_requests(self) -> int:
        """Jumio Platform access tokens this client has requested so far."""
        return sum(tokens.state.token_requests for tokens in self._tokens.values())

    def __repr__(self) -> str:
        # The native repr: vendors and base URLs, never a credential.
        return f"aio.{self._native!r}"

    async def delete(self, item: ItemArg) -> Union[Deleted, Scheduled]:
        """Deletes ``item``, retrying as the policy allows: ``Deleted`` or
        ``Scheduled`` (erased later by the vendor, never a deletion); raises
        the :class:`idv_delete.Error` subclass of its failure. A bad item or
        one of a vendor without credentials raises before anything is sent."""
        return await self._drive(self._op(item, in_doubt=False))

    async def delete_resumed(self, item: ItemArg) -> Union[Deleted, Scheduled]:
        """Deletes ``item`` that an earlier attempt may already have deleted
        (an error whose ``in_doubt`` was true, a cancelled deletion): a 404
        then counts as ``Deleted`` with ``confirmed_by == "absence"``. Use it
        only for items known to have existed at that endpoint."""
        return await self._drive(self._op(item, in_doubt=True))

    async def delete_all(
        self, items: Iterable[ItemArg], *, concurrency: int = 64
    ) -> List[Outcome]:
        """Deletes every item, at most ``concurrency`` at a time; returns one
        outcome per item, in the items' order: ``Deleted``, ``Scheduled`` or
        the :class:`idv_delete.Error` instance it failed with.

        The errors are returned, not raised, because the items are
        independent: one failure must neither hide the others' outcomes nor
        stop deletions already under way (``asyncio.gather``'s
        ``return_exceptions=True``, typed). Every item is checked before
        anything is sent: an invalid item, or one of a vendor without
        credentials, raises its error at once. Not journaled: for batches
        you must be able to resume, see the module's ``asyncio.to_thread``
        recipe. Cancelling the call cancels every deletion in flight.
        """
        if isinstance(items, (str, Item)):
            raise TypeError("items must be an iterable of items, not one item: wrap it in a list")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidConfigError(
                f"concurrency must be a whole number of at least 1, not {concurrency!r}"
            )
        # Checked whole before any send, by making each op; the ops are
        # made again when their turn comes, since one holds about 1.6 KB.
        items = list(items)
        for item in items:
            self._op(item, in_doubt=False)
        outcomes: List[Optional[Outcome]] = [None] * len(items)
        pending = iter(range(len(items)))

        async def worker() -> None:
            # The workers share one iterator: each item is taken once.
            for index in pending:
                try:
                    outcomes[index] = await self._drive(self._op(items[index], in_doubt=False))
                except Error as error:
                    outcomes[index] = error

        workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(items)))]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            # Cancelled, or a bug outside the deletions: stop every worker
            # (each cancels its op) and wait until they have.
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        return [outcome for outcome in outcomes if outcome is not None]

    async def recheck(self, item: ItemArg) -> Union[Deleted, Scheduled, None]:
        """Asks the vendor whether ``item``'s scheduled erasure has
        completed, as :meth:`idv_delete.Client.recheck` (which it runs on a
        worker thread, ``asyncio.to_thread``: one read, never retried, with
        the blocking client's transport)."""
        return await asyncio.to_thread(self._native.recheck, item)

    def _op(self, item: ItemArg, *, in_doubt: bool) -> DeleteOp:
        # A fresh random seed per op: the backoff jitter of concurrent
        # deletions must not move in step.
        return self._native.delete_op(item, seed=secrets.randbits(64), in_doubt=in_doubt)

    def _tokens_of(self, region: Region) -> _Tokens:
        tokens = self._tokens.get(region)
        if tokens is None:
            tokens = self._tokens[region] = _Tokens(self._native.token_state(region))
        return tokens

    async def _drive(self, op: DeleteOp) -> Union[Deleted, Scheduled]:
        """Runs ``op`` to its end: the erasure, or raises its error."""
        try:
            while True:
                action = op.poll()
                if isinstance(action, Send):
                    try:
                        status, headers, body = await self._exchange(action.request)
                    except _TransportFailure as failure:
                        op.handle_transport_error(failure.kind, failure.sent)
                        continue
                    op.handle_response(status, headers, body)
                    rejected = op.take_rejected_token()
                    if rejected is not None:
                        self._tokens_of(self._region(op)).state.reject(rejected)
                elif isinstance(action, Wait):
                    await asyncio.sleep(action.seconds)
                elif isinstance(action, Authorize):
                    await self._authorize(op)
                else:
                    return action.result()
        except asyncio.CancelledError:
            # Ends the op (its error would be CancelledError, in doubt if an
            # attempt may have been applied); the task's cancellation goes on.
            op.cancel()
            raise

    @staticmethod
    def _region(op: DeleteOp) -> Region:
        region = op.item.region
        if region is None:  # the core asks a token only for a regional item
            raise AssertionError(f"{op!r} asked for a token without a region")
        return region  # type: ignore[return-value]

    async def _authorize(self, op: DeleteOp) -> None:
        """Answers ``Authorize``: a token from the region's state, bought
        under its lock if none is held, or the error that refused one."""
        tokens = self._tokens_of(self._region(op))
        async with tokens.lock:
            while True:
                action = tokens.state.poll(time.monotonic())
                if isinstance(action, Use):
                    op.authorize(action.token)
                    return
                if isinstance(action, Refused):
                    op.token_failed(action.error)
                    return
                if not isinstance(action, Send):
                    # AwaitFetch: every purchase happens under this lock,
                    # and one cut short reports itself (below).
                    _unreachable(f"{action!r} while holding the token lock")
                error = await self._buy(tokens.state, action.request)
                if error is not None:
                    op.token_failed(error)
                    return

    async def _buy(self, state: TokenState, request: Request) -> Optional[Error]:
        """Sends the token request; ``None`` once the state holds a token."""
        try:
            status, headers, body = await self._exchange(request)
        except _TransportFailure as failure:
            return state.handle_transport_error(failure.kind)
        except BaseException:
            # Cancelled mid-purchase: free the state, or every later poll
            # would await a purchase nobody finishes.
            state.handle_transport_error("io")
            raise
        return state.handle_response(time.monotonic(), status, headers, body)

    async def _exchange(self, request: Request) -> _Answer:
        """Sends ``request`` once (no redirects) and reads at most
        ``BODY_LIMIT`` bytes of the answer; raises ``_TransportFailure``."""
        headers = request.headers
        names = {name.lower() for name, _ in headers}
        # The bound is on the bytes as sent: no compressed bodies. The user
        # agent, where the vendor needs none of yours, is the blocking
        # client's (not python-httpx's).
        headers += [(name, value) for name, value in _DEFAULT_HEADERS if name not in names]
        timeout = {"timeout": self._timeout.as_dict()}
        try:
            if self._http is not None:
                outgoing = self._http.build_request(
                    request.method, request.url, headers=headers, content=request.body,
                    extensions=timeout,
                )
                response = await self._http.send(outgoing, stream=True, follow_redirects=False)
            else:
                self._turn = (self._turn + 1) % len(self._transports)
                outgoing = httpx.Request(
                    request.method, request.url, headers=headers, content=request.body,
                    extensions=timeout,
                )
                response = await self._transports[self._turn].handle_async_request(outgoing)
        except httpx.RequestError as error:
            raise _transport_failure(error) from None
        try:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > BODY_LIMIT:
                    raise _TransportFailure("io", True)
        except httpx.RequestError as error:
            failure = _transport_failure(error)
            raise _TransportFailure(failure.kind, True) from None  # the head came: sent
        finally:
            await response.aclose()
        return response.status_code, list(response.headers.multi_items()), bytes(body)


def _unreachable(what: str) -> NoReturn:
    raise AssertionError(f"idv_delete.aio: {what}; please report this")

