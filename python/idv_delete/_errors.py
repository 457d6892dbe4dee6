"""The exceptions of idv_delete: one class per kind of failure.

Every deletion failure is an :class:`Error` whose class names its kind, with
the same attributes on all of them, so one ``except idv_delete.Error`` sees
everything and ``except idv_delete.NotFoundError`` picks one case.

The classes are written in Python, not created by the native module, because
:class:`InvalidReferenceError`, :class:`InvalidSubjectError` and
:class:`InvalidConfigError` must also be
``ValueError``\\ s (and :class:`RequestTimeoutError` the builtin
``TimeoutError``), and pyo3 cannot yet create an exception with two bases
without unsafe code (PyO3 issue #4979). The native module builds every error
through :func:`_from_native`, so :data:`_CLASSES` is the one table from a kind
name to its class; a test walks ``idv_delete.ERROR_KINDS`` (the Rust core's
``ErrorKind::ALL``) against it.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Dict, Literal, Optional, Tuple, Type, Union

from ._types import ErrorKind


class Error(Exception):
    """Base class of every idv_delete error.

    ``str(error)`` explains what went wrong and what to do; it never contains
    a credential. The attributes carry what is known:

    - ``kind``: the stable snake_case name of the failure (an
      :data:`idv_delete.ErrorKind`, one of ``idv_delete.ERROR_KINDS``, or
      ``"journal"`` for :class:`JournalError`);
    - ``status``: the HTTP status of the last answer, or ``None`` if none came;
    - ``vendor_message``: the vendor's own words (bounded), or ``None``;
    - ``retry_after``: seconds the vendor asked us to wait, or ``None``;
    - ``attempts``: requests sent (0 when nothing was sent);
    - ``in_doubt``: true when an attempt may have deleted the data although
      the deletion failed (a timeout or reset after sending, a 500, 502 or
      504, a 2xx that is no proof). Run the batch again with the same
      journal: a 404 then counts as deleted by absence (erased by that
      attempt, or never present at that endpoint). A plain ``delete_*``
      call cannot know the earlier attempt, so it raises ``NotFoundError``.

    The library raises only subclasses; pickling keeps every attribute
    (a ``multiprocessing`` worker can raise one to its parent).
    """

    kind: ClassVar[Union[ErrorKind, Literal["journal"]]]

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        vendor_message: Optional[str] = None,
        retry_after: Optional[float] = None,
        attempts: int = 0,
        in_doubt: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.vendor_message = vendor_message
        self.retry_after = retry_after
        self.attempts = attempts
        self.in_doubt = in_doubt

    def __reduce__(self) -> Tuple[Any, ...]:
        # Pickles the public attributes only: an error handed out by
        # TokenState also carries its Rust value (``_native``, for
        # DeleteOp.token_failed), which cannot leave the process.
        state = {k: v for k, v in self.__dict__.items() if k != "_native"}
        return (type(self), self.args, state)


class InvalidReferenceError(Error, ValueError):
    """The reference or transaction id is malformed; nothing was sent.

    A Jumio reference is 1-36 ASCII letters, digits or ``-``; a HyperVerge id
    is 1-256 characters, without control characters or whitespace at either
    end (``" HV-7"`` is refused, not trimmed).
    Also a ``ValueError``.
    """

    kind = "invalid_reference"


class InvalidSubjectError(Error, ValueError):
    """The data-subject key given with an item is unusable; nothing was sent.

    A subject (the company's own key for the person, such as a customer id)
    is 1-128 characters, without control characters or whitespace at either
    end (``" cust-42"`` is refused, not trimmed, so the key journaled is the
    key given). The message names what is wrong. Also a ``ValueError``.
    """

    kind = "invalid_subject"


class InvalidConfigError(Error, ValueError):
    """The client or batch configuration is unusable; nothing was sent.

    Credentials, User-Agent, region, base URL, timeouts, retry or batch
    options: the message says which and what to change. Also a ``ValueError``.
    """

    kind = "invalid_config"


class NotFoundError(Error):
    """The vendor answered 404 and no earlier attempt may have deleted it.

    A wrong region, a typo, or a reference deleted long ago; never reported
    as deleted.
    """

    kind = "not_found"


class UnauthorizedError(Error):
    """401: the vendor refused the credentials."""

    kind = "unauthorized"


class ForbiddenError(Error):
    """403: refused for this caller.

    Jumio: missing or suspicious headers, or credentials that may not delete.
    HyperVerge: this machine's IP address is not on its allow-list.
    """

    kind = "forbidden"


class InvalidInputError(Error):
    """400 or 422: the vendor rejected the request as malformed."""

    kind = "invalid_input"


class RateLimitedError(Error):
    """429: the vendor is rate limiting; see ``retry_after``."""

    kind = "rate_limited"


class ServerError(Error):
    """5xx: the vendor failed; see ``status`` (and ``in_doubt``)."""

    kind = "server"


class UnexpectedResponseError(Error):
    """Any other answer: a 3xx, an undocumented status, or a 2xx that is no
    proof of deletion: its body says the deletion failed, cannot be read, or
    is not the vendor's (an HTML page from a proxy or a wrong base URL)."""

    kind = "unexpected_response"


class RequestTimeoutError(Error, builtins.TimeoutError):
    """The vendor did not answer in time.

    Also the builtin ``TimeoutError`` (an ``OSError``), so code that
    catches timeouts in general catches this one too. Named
    ``RequestTimeoutError``, not after its kind like the others, so that
    ``from idv_delete import *`` never shadows the builtin; the old name
    ``idv_delete.TimeoutError`` still works when imported explicitly.
    """

    kind = "timeout"


#: The former name of :class:`RequestTimeoutError`, importable explicitly
#: (``from idv_delete import TimeoutError``) but not by ``import *``.
TimeoutError = RequestTimeoutError  # noqa: A001


class ConnectError(Error):
    """No connection could be made (DNS, refused, unreachable)."""

    kind = "connect"


class TlsError(Error):
    """TLS failed (certificate, handshake); never retried."""

    kind = "tls"


class IoError(Error):
    """The connection broke: a reset, a truncated body, another I/O failure."""

    kind = "io"


class CancelledError(Error):
    """The deletion was stopped before it finished (Ctrl-C during a batch).

    Found on the items of a batch cut short: ``in_doubt`` says whether an
    earlier attempt may have deleted the data. Run the batch again with the
    same journal to finish them. (A single deletion stopped by Ctrl-C
    raises ``KeyboardInterrupt`` instead.)
    """

    kind = "cancelled"


class NotDeletableYetError(Error):
    """The vendor will not delete the record yet: retry later.

    Veriff refuses a session that is not in a completed status (its codes
    1305 and 1306), Stripe a verification session still processing, Persona
    answers 409. Not retried within a call or a batch, because waiting
    seconds does not change it: delete it again once the vendor has finished
    with the record. Nothing was deleted (``in_doubt`` is false unless an
    earlier attempt of the same deletion was uncertain).
    """

    kind = "not_deletable_yet"


class JournalError(Error):
    """A batch could not use its journal: nothing is wrong with a deletion.

    The journal cannot be read or written, is damaged, or was written for
    another input. Items already finished are journaled; fix the cause and
    run the batch again with the same journal to resume.
    """

    kind = "journal"


class JournalTampered(JournalError):
    """The journal's hash chain breaks at ``line``: it is not as written.

    A line was edited, removed, inserted or moved at or before ``line``
    (from 1) of the journal at ``path``; nothing was sent. Keep the file as
    evidence and compare its fingerprint with the one stored when it was
    written (``idv-delete verify`` prints it). ``kind`` is ``"journal"``,
    as for every :class:`JournalError`.
    """

    def __init__(self, message: str, *, path: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def _journal_tampered(message: str, path: str, line: int) -> JournalTampered:
    """Builds :class:`JournalTampered`; called by the native module."""
    return JournalTampered(message, path=path, line=line)


#: The one table from a kind name to its class.
_CLASSES: Dict[Union[ErrorKind, Literal["journal"]], Type[Error]] = {
    cls.kind: cls
    for cls in (
        InvalidReferenceError,
        InvalidConfigError,
        NotFoundError,
        UnauthorizedError,
        ForbiddenError,
        InvalidInputError,
        RateLimitedError,
        ServerError,
        UnexpectedResponseError,
        RequestTimeoutError,
        ConnectError,
        TlsError,
        IoError,
        CancelledError,
        NotDeletableYetError,
        InvalidSubjectError,
        JournalError,
    )
}


def _from_native(
    kind: Union[ErrorKind, Literal["journal"]],
    message: str,
    status: Optional[int],
    vendor_message: Optional[str],
    retry_after: Optional[float],
    attempts: int,
    in_doubt: bool,
) -> Error:
    """Builds the exception for a Rust error; called by the native module."""
    return _CLASSES[kind](
        message,
        status=status,
        vendor_message=vendor_message,
        retry_after=retry_after,
        attempts=attempts,
        in_doubt=in_doubt,
    )


# Tracebacks and reprs name the public module users import from.
for _cls in (Error, *_CLASSES.values(), JournalTampered):
    _cls.__module__ = "idv_delete"
del _cls
