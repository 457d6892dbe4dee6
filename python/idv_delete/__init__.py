"""Erase identity-verification (KYC) data at Jumio (Netverify v2 and the
Jumio Platform), HyperVerge, Onfido, Persona, Stripe Identity and Veriff.

One reference at a time::

    import idv_delete

    jumio = idv_delete.Jumio(token, secret, user_agent="Acme KYC-Cleaner/1.0", region="eu")
    try:
        deleted = jumio.delete_scan("2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20")
    except idv_delete.NotFoundError:
        ...  # wrong region, typo, or deleted long ago: never reported as deleted

or millions, journaled and resumable::

    report = jumio.delete_many(references, product="scan", journal="erasure.journal")

The Jumio Platform (KYX) takes OAuth2 client credentials; its client buys
and shares the access tokens itself::

    platform = idv_delete.JumioPlatform(client_id, client_secret,
                                        user_agent="Acme KYC-Cleaner/1.0", region="eu")
    platform.delete_account(account_id)
    platform.delete_workflow(account_id, workflow_execution_id)

Onfido, Persona, Stripe Identity and Veriff accept an erasure and complete
it later: their deletions return :class:`Scheduled`, and ``recheck`` asks
the vendor later whether it completed (``Deleted`` with ``confirmed_by ==
"recheck"``, still ``Scheduled``, or ``None`` where the vendor offers no
read)::

    stripe = idv_delete.Stripe(secret_key)
    stripe.delete_verification_session("vs_1NuN4zGx")   # Scheduled: "processing"
    ...
    stripe.recheck("vs_1NuN4zGx")                       # Deleted once "redacted"

or every scheduled item of a batch's journal at once, appending what the
vendor says to the journal (a :class:`RecheckReport` counts it)::

    stripe.recheck_journal("erasure.journal")           # RecheckReport(deleted=...)

Items of several vendors go through one :class:`Client`, configured with
each vendor's credentials class, one item at a time or as one journaled
batch (``idv-delete verify`` reads its journal)::

    client = idv_delete.Client(
        jumio=idv_delete.JumioCredentials(token, secret, "Acme KYC-Cleaner/1.0"),
        stripe=idv_delete.StripeCredentials(secret_key),
    )
    client.delete(idv_delete.Item("jumio", "scan", "2b6f4c1e-...", region="eu"))
    client.delete_many([("stripe", "verification_session", None, "vs_1NuN4zGx"),
                        idv_delete.Item("jumio", "scan", "2b6f4c1e-...", region="us")],
                       journal="erasure.journal")

Your own event loop drives the core's retrying state machine,
:class:`DeleteOp`, with its own HTTP client (the retries, ``Retry-After``
and the in-doubt rules stay the core's; the Jumio Platform's tokens come
from a shared :class:`TokenState`)::

    op = client.delete_op(item, seed=random.getrandbits(64))
    while True:
        match op.poll():
            case idv_delete.Send(request):
                status, headers, body = send(request)   # your HTTP client
                op.handle_response(status, headers, body)
            case idv_delete.Wait(seconds):
                time.sleep(seconds)
            case idv_delete.Done() as done:
                return done.result()                    # or raises

The requests, answers and retries are those of the Rust core (the same as
the ``idv-delete`` command and the C library); this package converts values
and releases the GIL while waiting on the network. Every failure is an
:class:`Error` subclass named after its kind (``idv_delete.ERROR_KINDS``).
For one attempt without retries, build the request with
``client.build_request(...)``, send it with your own client, and read the
answer with :func:`parse_response`.
To test scripts offline, see :mod:`idv_delete.testing`.

A single deletion returns :class:`Deleted`, or :class:`Scheduled` when the
vendor accepted the erasure and completes it later (a success, never a
deletion): tell them apart with ``isinstance``::

    result = client.delete_...(...)
    if isinstance(result, idv_delete.Scheduled):
        print("erased later:", result.completes, result.until or result.within)

A vendor that will not delete a record yet (a session still in progress)
raises :class:`NotDeletableYetError`: retry later.

Results (:class:`Deleted`, :class:`Scheduled`, :class:`BatchReport`, :class:`RecheckReport`...) and exceptions compare
by value and pickle, so ``multiprocessing`` workers can return them. Closed
sets of strings (a region, a product, ``confirmed_by``, an error kind) are
``Literal`` types: :data:`Region`, :data:`OnfidoRegion`, :data:`Vendor`,
:data:`JumioProduct`, :data:`PlatformProduct`, :data:`PersonaProduct`, :data:`Product`, :data:`ConfirmedBy`,
:data:`ErrorKind`. No name of ``__all__`` shadows a
builtin: the timeout error is :class:`RequestTimeoutError` (also the
builtin ``TimeoutError``; ``idv_delete.TimeoutError`` is its former name).

Ctrl-C raises ``KeyboardInterrupt`` within a fraction of a second, even
while a deletion waits out a vendor's ``Retry-After``. From ``delete_many``
the exception carries the partial :class:`BatchReport` as its ``report``
attribute (``None`` if the batch could not start), and the journal has every
item that finished or was cut short, so running the batch again resumes it.
"""

from ._errors import (
    CancelledError,
    ConnectError,
    Error,
    ForbiddenError,
    InvalidConfigError,
    InvalidInputError,
    InvalidReferenceError,
    InvalidSubjectError,
    IoError,
    JournalError,
    JournalTampered,
    NotDeletableYetError,
    NotFoundError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TimeoutError,  # the former name of RequestTimeoutError: not in __all__
    TlsError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from ._native import (
    ERROR_KINDS,
    Authorize,
    AwaitFetch,
    BatchReport,
    BearerToken,
    Client,
    Counts,
    CrossDuplicate,
    DeleteOp,
    Deleted,
    Done,
    FailedItem,
    HyperVerge,
    HyperVergeCredentials,
    Item,
    JournalInfo,
    JournalItem,
    JournalRun,
    JournalView,
    Jumio,
    JumioCredentials,
    JumioPlatform,
    JumioPlatformCredentials,
    Onfido,
    OnfidoCredentials,
    Persona,
    PersonaCredentials,
    Progress,
    RecheckReport,
    Refused,
    Request,
    Scheduled,
    Send,
    Stripe,
    StripeCredentials,
    Subject,
    TokenState,
    Use,
    Veriff,
    VeriffCredentials,
    Wait,
    __version__,
    parse_response,
    read_journal,
)
from ._types import (
    ConfirmedBy,
    ErrorKind,
    JumioProduct,
    OnfidoRegion,
    PersonaProduct,
    PlatformProduct,
    Product,
    Region,
    Vendor,
)

__all__ = [
    "ERROR_KINDS",
    "Authorize",
    "AwaitFetch",
    "BatchReport",
    "BearerToken",
    "CancelledError",
    "Client",
    "ConfirmedBy",
    "ConnectError",
    "Counts",
    "CrossDuplicate",
    "DeleteOp",
    "Deleted",
    "Done",
    "Error",
    "ErrorKind",
    "FailedItem",
    "ForbiddenError",
    "HyperVerge",
    "HyperVergeCredentials",
    "InvalidConfigError",
    "InvalidInputError",
    "InvalidReferenceError",
    "InvalidSubjectError",
    "IoError",
    "Item",
    "JournalError",
    "JournalTampered",
    "JournalInfo",
    "JournalItem",
    "JournalRun",
    "JournalView",
    "Jumio",
    "JumioCredentials",
    "JumioPlatform",
    "JumioPlatformCredentials",
    "JumioProduct",
    "NotDeletableYetError",
    "NotFoundError",
    "Onfido",
    "OnfidoCredentials",
    "OnfidoRegion",
    "Persona",
    "PersonaCredentials",
    "PersonaProduct",
    "PlatformProduct",
    "Product",
    "Progress",
    "RateLimitedError",
    "RecheckReport",
    "Refused",
    "Region",
    "Request",
    "RequestTimeoutError",
    "Scheduled",
    "Send",
    "ServerError",
    "Stripe",
    "StripeCredentials",
    "Subject",
    "TlsError",
    "TokenState",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "Use",
    "Vendor",
    "Veriff",
    "VeriffCredentials",
    "Wait",
    "__version__",
    "parse_response",
    "read_journal",
]
