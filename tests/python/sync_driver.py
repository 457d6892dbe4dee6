"""A small synchronous driver of ``idv_delete.DeleteOp`` over ``http.client``.

What an asyncio driver does, without the event loop: send what the op
says, report the answer or the transport failure (and whether the request
may have left), sleep when told to wait, and get the Jumio Platform's
tokens from the shared ``TokenState``, reporting a 401's rejected token
back to it. The tests use it against the emulator.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
from typing import List, Literal, Optional, Tuple, Union

import idv_delete

Answer = Tuple[int, List[Tuple[str, str]], bytes]
Kind = Literal["timeout", "connect", "tls", "io"]


class TransportFailure(Exception):
    """No answer: ``kind`` is a DeleteOp transport kind; ``sent`` whether the
    request may have reached the server."""

    def __init__(self, kind: Kind, sent: bool) -> None:
        super().__init__(kind)
        self.kind = kind
        self.sent = sent


def send(request: idv_delete.Request, timeout: float = 10.0) -> Answer:
    """Sends ``request`` once (no redirects) and reads the whole answer."""
    url = urllib.parse.urlsplit(request.url)
    assert url.scheme == "http", "the tests talk to the emulator on loopback"
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=timeout)
    path = url.path + (f"?{url.query}" if url.query else "")
    try:
        try:
            connection.request(request.method, path, request.body, dict(request.headers))
        except ConnectionRefusedError as failure:
            raise TransportFailure("connect", False) from failure
        except OSError as failure:
            raise TransportFailure("io", False) from failure
        try:
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        except TimeoutError as failure:
            raise TransportFailure("timeout", True) from failure
        except (OSError, http.client.HTTPException) as failure:
            raise TransportFailure("io", True) from failure
    finally:
        connection.close()


def authorize(op: idv_delete.DeleteOp, tokens: Optional[idv_delete.TokenState]) -> None:
    """Answers the op's ``Authorize`` from ``tokens``: a token, or the error
    of buying one."""
    assert tokens is not None, "an op asked for a token without a token state"
    action = tokens.poll(time.monotonic())
    if isinstance(action, idv_delete.Use):
        op.authorize(action.token)
    elif isinstance(action, idv_delete.Refused):
        op.token_failed(action.error)
    elif isinstance(action, idv_delete.Send):
        try:
            status, headers, body = send(action.request)
        except TransportFailure as failure:
            op.token_failed(tokens.handle_transport_error(failure.kind))
            return
        error = tokens.handle_response(time.monotonic(), status, headers, body)
        if error is not None:
            op.token_failed(error)
        else:
            authorize(op, tokens)
    else:
        # One thread, one op at a time: nobody else's purchase to await.
        raise AssertionError(f"unexpected {action!r}")


def drive(
    op: idv_delete.DeleteOp, tokens: Optional[idv_delete.TokenState] = None
) -> Union[idv_delete.Deleted, idv_delete.Scheduled]:
    """Runs ``op`` to its end: the erasure, or raises its error."""
    while True:
        action = op.poll()
        if isinstance(action, idv_delete.Send):
            try:
                status, headers, body = send(action.request)
            except TransportFailure as failure:
                op.handle_transport_error(failure.kind, failure.sent)
                continue
            op.handle_response(status, headers, body)
            rejected = op.take_rejected_token()
            if rejected is not None and tokens is not None:
                tokens.reject(rejected)
        elif isinstance(action, idv_delete.Wait):
            time.sleep(action.seconds)
        elif isinstance(action, idv_delete.Authorize):
            authorize(op, tokens)
        else:
            return action.result()
