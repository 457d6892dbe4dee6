# Hand-written stubs of the native module (crates/py), checked against it by
# `python -m mypy.stubtest idv_delete._native` in scripts/test-python.
import datetime
import os
import threading
import types
from typing import (
    Callable,
    Generic,
    Iterable,
    Iterator,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    final,
    type_check_only,
)

from typing_extensions import Self

from idv_delete._errors import Error
from idv_delete._types import (
    ConfirmedBy,
    ErrorKind,
    JumioProduct,
    OnfidoRegion,
    PersonaProduct,
    PlatformProduct,
    Product,
    Region,
    RetryAfterFormat,
    SeedState,
    Vendor,
)

__all__ = [
    "__version__",
    "ERROR_KINDS",
    "Jumio",
    "JumioPlatform",
    "HyperVerge",
    "Onfido",
    "Persona",
    "Stripe",
    "Veriff",
    "Deleted",
    "Scheduled",
    "Progress",
    "BatchReport",
    "FailedItem",
    "RecheckReport",
    "read_journal",
    "JournalView",
    "JournalInfo",
    "JournalRun",
    "Counts",
    "Subject",
    "CrossDuplicate",
    "JournalItem",
    "Request",
    "parse_response",
    "Client",
    "Item",
    "JumioCredentials",
    "JumioPlatformCredentials",
    "HyperVergeCredentials",
    "OnfidoCredentials",
    "PersonaCredentials",
    "StripeCredentials",
    "VeriffCredentials",
    "DeleteOp",
    "Send",
    "Wait",
    "Authorize",
    "Done",
    "TokenState",
    "BearerToken",
    "Use",
    "AwaitFetch",
    "Refused",
    "Emulator",
    "Stats",
    "ReferenceStats",
    "EMULATOR_JUMIO_TOKEN",
    "EMULATOR_JUMIO_SECRET",
    "EMULATOR_JUMIO_CLIENT_ID",
    "EMULATOR_JUMIO_CLIENT_SECRET",
    "EMULATOR_HYPERVERGE_APP_ID",
    "EMULATOR_HYPERVERGE_APP_KEY",
    "EMULATOR_ONFIDO_API_TOKEN",
    "EMULATOR_PERSONA_API_KEY",
    "EMULATOR_PERSONA_READ_ONLY_KEY",
    "EMULATOR_STRIPE_SECRET_KEY",
    "EMULATOR_VERIFF_API_KEY",
    "EMULATOR_VERIFF_SHARED_SECRET",
]

__version__: str
ERROR_KINDS: Tuple[ErrorKind, ...]
EMULATOR_JUMIO_TOKEN: str
EMULATOR_JUMIO_SECRET: str
EMULATOR_JUMIO_CLIENT_ID: str
EMULATOR_JUMIO_CLIENT_SECRET: str
EMULATOR_HYPERVERGE_APP_ID: str
EMULATOR_HYPERVERGE_APP_KEY: str
EMULATOR_ONFIDO_API_TOKEN: str
EMULATOR_PERSONA_API_KEY: str
EMULATOR_PERSONA_READ_ONLY_KEY: str
EMULATOR_STRIPE_SECRET_KEY: str
EMULATOR_VERIFF_API_KEY: str
EMULATOR_VERIFF_SHARED_SECRET: str

_Path = Union[str, "os.PathLike[str]"]
_ProgressArg = Union[Callable[["Progress"], object], bool, None]
#: ``windows=`` of ``delete_many``: each vendor named gets these windows (at
#: most ``count`` requests in any ``seconds``) instead of its documented ones;
#: an empty list lifts them.
_Windows = Mapping[str, Sequence[Tuple[int, float]]]

@type_check_only
class WindowFull(TypedDict):
    """``BatchReport.window_full``: the vendor whose window stopped the
    batch, the window, and when (UTC) the same batch may run again."""

    vendor: str
    count: int
    seconds: float
    until: datetime.datetime
_Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

@final
class Deleted:
    """A deletion that happened: the vendor no longer holds the transaction."""

    @property
    def audits(self) -> Tuple[str, ...]: ...
    @property
    def vendor_message(self) -> Optional[str]: ...
    @property
    def confirmed_by(self) -> ConfirmedBy: ...
    @property
    def attempts(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class Scheduled:
    """An erasure the vendor accepted and completes later: never a deletion.

    Single deletions return ``Deleted`` or ``Scheduled``; test with
    ``isinstance(result, idv_delete.Scheduled)``.
    """

    @property
    def completes(self) -> str: ...
    @property
    def within(self) -> Optional[float]: ...
    @property
    def until(self) -> Optional[str]: ...
    @property
    def vendor_status(self) -> Optional[str]: ...
    @property
    def vendor_message(self) -> Optional[str]: ...
    @property
    def attempts(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class Progress:
    """Counts so far of a running batch, given to its progress callback."""

    @property
    def done(self) -> int: ...
    @property
    def deleted(self) -> int: ...
    @property
    def scheduled(self) -> int: ...
    @property
    def not_found(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def in_flight(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class FailedItem:
    """A failed item of a batch."""

    @property
    def position(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def subject(self) -> Optional[str]: ...
    @property
    def error(self) -> Error: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class RecheckReport:
    """What ``recheck_journal`` learnt: of the ``scheduled`` items, ``deleted``
    (confirmed by recheck), ``still_scheduled``, ``not_offered`` (no read:
    Veriff) and the ``failures`` to recheck later."""

    @property
    def scheduled(self) -> int: ...
    @property
    def deleted(self) -> int: ...
    @property
    def still_scheduled(self) -> int: ...
    @property
    def not_offered(self) -> int: ...
    @property
    def failures(self) -> Tuple[FailedItem, ...]: ...
    @property
    def run(self) -> int: ...
    @property
    def cancelled(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

_ItemStatus = Literal[
    "deleted", "scheduled", "not_found", "failed", "in_doubt", "duplicate", "not_attempted"
]

def read_journal(*paths: _Path, strict: bool = False) -> JournalView:
    """Reads one or more journals (the shards of one job) as one typed view,
    with the GIL released. A journal that is tampered, corrupt or unreadable
    does not raise: its ``JournalInfo.problem`` says why (naming the first
    bad line), it contributes no item, and ``trusted`` is false; with
    ``strict=True`` the first such journal raises ``JournalError`` instead.
    ``TypeError`` when no path is given."""

@final
class Counts:
    """Items by what the journals prove about them; a scheduled erasure is
    never counted as deleted."""

    @property
    def items(self) -> int: ...
    @property
    def deleted(self) -> int: ...
    @property
    def scheduled(self) -> int: ...
    @property
    def not_found(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def in_doubt(self) -> int: ...
    @property
    def not_attempted(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def settled(self) -> bool:
        """True when nothing is failed, in doubt or never attempted."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class JournalRun:
    """One run of a journal and its chain of custody (never a secret: a
    credential is named by a fingerprint of its public identifier)."""

    @property
    def run(self) -> int: ...
    @property
    def started_at(self) -> str: ...
    @property
    def tool_version(self) -> str: ...
    @property
    def user(self) -> Optional[str]: ...
    @property
    def host(self) -> Optional[str]: ...
    @property
    def credentials(self) -> dict[str, Optional[str]]: ...
    @property
    def end(self) -> Optional[Literal["finished", "cancelled", "failed"]]: ...

@final
class JournalInfo:
    """One journal of a view: its chain, fingerprint and runs, or the
    ``problem`` that kept it out of the view."""

    @property
    def path(self) -> str: ...
    @property
    def chained(self) -> bool: ...
    @property
    def fingerprint(self) -> Optional[str]: ...
    @property
    def problem(self) -> Optional[str]: ...
    @property
    def problem_line(self) -> Optional[int]: ...
    @property
    def runs(self) -> Tuple[JournalRun, ...]: ...

@final
class Subject:
    """One data subject's records across every journal of a view."""

    @property
    def subject(self) -> str: ...
    @property
    def status(self) -> Literal["erased", "scheduled", "incomplete"]: ...
    @property
    def counts(self) -> Counts: ...
    @property
    def vendors(self) -> Tuple[Vendor, ...]: ...
    @property
    def scheduled_until(self) -> Optional[str]: ...

@final
class CrossDuplicate:
    """The same item in two journals: counted once, at ``first``."""

    @property
    def item(self) -> Item: ...
    @property
    def first(self) -> Tuple[int, int]: ...
    @property
    def also(self) -> Tuple[int, int]: ...

@final
class JournalItem:
    """One item as the journals leave it, read back from its last record."""

    @property
    def journal(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def item(self) -> Item: ...
    @property
    def status(self) -> _ItemStatus: ...
    @property
    def duplicate_of(self) -> Optional[int]: ...
    @property
    def counted(self) -> bool: ...
    @property
    def at(self) -> str: ...
    @property
    def result(self) -> Optional[Literal["deleted", "scheduled", "not_found", "failed"]]: ...
    @property
    def confirmed_by(self) -> Optional[ConfirmedBy]: ...
    @property
    def http_status(self) -> Optional[int]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def error_kind(self) -> Optional[ErrorKind]: ...
    @property
    def in_doubt(self) -> bool: ...
    @property
    def within_secs(self) -> Optional[int]: ...
    @property
    def until(self) -> Optional[str]: ...
    @property
    def date(self) -> Optional[str]: ...
    @property
    def request_id(self) -> Optional[str]: ...
    @property
    def audit_ids(self) -> Tuple[str, ...]: ...
    @property
    def vendor_status(self) -> Optional[str]: ...

@final
class JournalView:
    """Several journals (or one) read as one erasure job: see
    ``read_journal``."""

    @property
    def trusted(self) -> bool: ...
    @property
    def journals(self) -> Tuple[JournalInfo, ...]: ...
    @property
    def totals(self) -> Counts: ...
    @property
    def by_vendor(self) -> dict[Vendor, Counts]: ...
    @property
    def subjects(self) -> Tuple[Subject, ...]: ...
    @property
    def items_without_subject(self) -> int: ...
    @property
    def cross_duplicates(self) -> Tuple[CrossDuplicate, ...]: ...
    def items(self) -> Iterator[JournalItem]:
        """Every item with a record, journal by journal, in input order."""
    def failures(self) -> Iterator[JournalItem]:
        """The items counted as failed or in doubt."""

@final
class BatchReport:
    """What a batch did."""

    @property
    def deleted(self) -> int: ...
    @property
    def deleted_by_response(self) -> int: ...
    @property
    def deleted_by_absence(self) -> int: ...
    @property
    def scheduled(self) -> int: ...
    @property
    def not_found(self) -> int: ...
    @property
    def failed(self) -> dict[ErrorKind, int]: ...
    @property
    def failed_total(self) -> int: ...
    @property
    def failures(self) -> Tuple[FailedItem, ...]: ...
    @property
    def failures_omitted(self) -> int: ...
    @property
    def in_doubt(self) -> int: ...
    @property
    def would_delete(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def resumed_in_doubt(self) -> int: ...
    @property
    def retried_failures(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def run(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def token_requests(self) -> int: ...
    @property
    def window_full(self) -> Optional[WindowFull]:
        """``None``, or the vendor window that stopped the batch (``cancelled``
        is then true): run it again with the same journal after ``until``."""
    @property
    def done(self) -> int: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def dry_run(self) -> bool: ...
    @property
    def cancelled(self) -> bool: ...
    @property
    def all_succeeded(self) -> bool: ...
    @property
    def journal_notes(self) -> Tuple[str, ...]: ...
    @property
    def journal_fingerprint(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class Request:
    """One HTTP request to send with your own HTTP client."""

    @property
    def method(self) -> Literal["DELETE", "POST"]: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> list[Tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...

def parse_response(
    request: Request, status: int, headers: _Headers, body: bytes
) -> Union[Deleted, Scheduled]:
    """Reads the answer to ``request``: ``Deleted`` or ``Scheduled``, or raises an ``idv_delete.Error``."""

@final
class JumioCredentials:
    """Jumio Netverify v2 credentials, checked at once; the repr redacts them."""

    def __new__(cls, api_token: str, api_secret: str, user_agent: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class JumioPlatformCredentials:
    """Jumio Platform OAuth2 client credentials, checked at once; the repr redacts them."""

    def __new__(cls, client_id: str, client_secret: str, user_agent: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class HyperVergeCredentials:
    """HyperVerge's app id and key, checked at once; the repr redacts them."""

    def __new__(cls, app_id: str, app_key: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class OnfidoCredentials:
    """Onfido's API token, checked at once; the repr redacts it."""

    def __new__(cls, api_token: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class PersonaCredentials:
    """Persona's API key, checked at once; the repr redacts it."""

    def __new__(cls, api_key: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class StripeCredentials:
    """Stripe's secret or restricted key, checked at once; the repr redacts it."""

    def __new__(cls, secret_key: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class VeriffCredentials:
    """Veriff's API key and shared secret, checked at once; the repr redacts them."""

    def __new__(cls, api_key: str, shared_secret: str) -> Self: ...
    @property
    def user_agent(self) -> Optional[str]: ...

@final
class Item:
    """One thing to erase at any vendor, checked at once by the core's rules."""

    def __new__(
        cls,
        vendor: Vendor,
        product: str,
        reference: str,
        region: Optional[str] = None,
        subject: Optional[str] = None,
    ) -> Self: ...
    @property
    def vendor(self) -> Vendor: ...
    @property
    def product(self) -> Product: ...
    @property
    def region(self) -> Optional[str]: ...
    @property
    def reference(self) -> str: ...
    @property
    def subject(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

#: An item: an ``Item`` or a ``(vendor, product, region, reference)`` tuple,
#: optionally with a fifth element, the subject.
_ItemArg = Union[
    Item,
    Tuple[str, str, Optional[str], str],
    Tuple[str, str, Optional[str], str, Optional[str]],
]
_TransportKind = Literal["timeout", "connect", "tls", "io"]

@final
class Send:
    """Send ``request``, then report the answer or the failure."""

    __match_args__ = ("request",)
    @property
    def request(self) -> Request: ...

@final
class Wait:
    """Sleep ``seconds``, then poll again."""

    __match_args__ = ("seconds",)
    @property
    def seconds(self) -> float: ...

@final
class Authorize:
    """Get a token from the region's ``TokenState``; give it with ``DeleteOp.authorize``."""

    __match_args__ = ()

@final
class Done:
    """The deletion is finished: ``outcome`` is the erasure or the error (not raised)."""

    __match_args__ = ("outcome",)
    @property
    def outcome(self) -> Union[Deleted, Scheduled, Error]: ...
    def result(self) -> Union[Deleted, Scheduled]:
        """The erasure; raises the ``idv_delete.Error`` the deletion ended with."""

@final
class DeleteOp:
    """One deletion across its attempts, driven by your own loop: ``Client.delete_op``."""

    def poll(self) -> Union[Send, Wait, Authorize, Done]: ...
    def handle_response(self, status: int, headers: _Headers, body: bytes) -> None: ...
    def handle_transport_error(self, kind: _TransportKind, sent: bool) -> None: ...
    def authorize(self, token: BearerToken) -> None: ...
    def token_failed(self, error: Error) -> None: ...
    def take_rejected_token(self) -> Optional[int]: ...
    def cancel(self) -> None: ...
    def stop_retrying(self) -> None: ...
    @property
    def pending_retry(self) -> Optional[Error]: ...
    @property
    def last_error(self) -> Optional[Error]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def ready_to_send(self) -> bool: ...
    @property
    def item(self) -> Item: ...

@final
class BearerToken:
    """An access token; its value never leaves Rust (the repr shows ``[redacted]``)."""

    @property
    def generation(self) -> int: ...
    @property
    def expires_at(self) -> float: ...

@final
class Use:
    """Use ``token`` now: give it to ``DeleteOp.authorize``."""

    __match_args__ = ("token",)
    @property
    def token(self) -> BearerToken: ...

@final
class AwaitFetch:
    """Another op's token request is on its way: poll again once it is reported."""

    __match_args__ = ()

@final
class Refused:
    """The token endpoint refused: give ``error`` to ``DeleteOp.token_failed``."""

    __match_args__ = ("error",)
    @property
    def error(self) -> Error: ...

@final
class TokenState:
    """The Jumio Platform's access token for one region: ``Client.token_state``."""

    def poll(self, now: float) -> Union[Use, Send, AwaitFetch, Refused]: ...
    def handle_response(
        self, now: float, status: int, headers: _Headers, body: bytes
    ) -> Optional[Error]: ...
    def handle_transport_error(self, kind: _TransportKind) -> Error: ...
    def reject(self, generation: int) -> None: ...
    @property
    def token_requests(self) -> int: ...
    @property
    def region(self) -> Region: ...

@final
class Client:
    """One client for every vendor whose credentials it is given."""

    def __new__(
        cls,
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
        connect_timeout: float = ...,
        timeout: float = ...,
        max_attempts: int = ...,
        base_delay: float = ...,
        max_delay: float = ...,
        max_retry_after: float = ...,
    ) -> Self: ...
    def delete(self, item: _ItemArg) -> Union[Deleted, Scheduled]: ...
    def delete_resumed(self, item: _ItemArg) -> Union[Deleted, Scheduled]: ...
    def delete_many(
        self,
        items: Iterable[_ItemArg],
        *,
        journal: Optional[_Path] = None,
        concurrency: int = ...,
        rate: Optional[float] = None,
        adaptive_rate: bool = False,
        progress: _ProgressArg = None,
        dry_run: bool = False,
        windows: Optional[_Windows] = None,
        wait_for_windows: bool = False,
        cancel: Optional[threading.Event] = None,
        allow_endpoint_change: bool = False,
    ) -> BatchReport:
        """One journaled batch over items of any vendor; Ctrl-C as in ``Jumio.delete_many``."""
    def check(self, item: _ItemArg) -> None: ...
    def recheck(self, item: _ItemArg) -> Union[Deleted, Scheduled, None]: ...
    def recheck_journal(
        self, journal: _Path, *, cancel: Optional[threading.Event] = None
    ) -> RecheckReport: ...
    @property
    def token_requests(self) -> int: ...
    @property
    def vendors(self) -> Tuple[Vendor, ...]: ...
    def delete_op(self, item: _ItemArg, *, seed: int, in_doubt: bool = False) -> DeleteOp: ...
    def token_state(self, region: Region) -> TokenState: ...

@final
class Jumio:
    """A client of Jumio's delete API."""

    def __new__(
        cls,
        api_token: str,
        api_secret: str,
        *,
        user_agent: str,
        region: Region = "us",
        base_url: Optional[str] = None,
        connect_timeout: float = ...,
        timeout: float = ...,
        max_attempts: int = ...,
    ) -> Self: ...
    def delete_scan(self, reference: str) -> Union[Deleted, Scheduled]: ...
    def delete_authentication(self, reference: str) -> Union[Deleted, Scheduled]: ...
    def delete_document(self, reference: str) -> Union[Deleted, Scheduled]: ...
    def delete_many(
        self,
        references: Iterable[str],
        *,
        product: JumioProduct = "scan",
        journal: Optional[_Path] = None,
        concurrency: int = ...,
        rate: Optional[float] = None,
        adaptive_rate: bool = False,
        progress: _ProgressArg = None,
        dry_run: bool = False,
        windows: Optional[_Windows] = None,
        wait_for_windows: bool = False,
        cancel: Optional[threading.Event] = None,
    ) -> BatchReport:
        """Deletes every reference, journaled and resumable.

        Ctrl-C raises ``KeyboardInterrupt`` within a fraction of a second,
        even during a ``Retry-After`` pause; its ``report`` attribute is the
        partial ``BatchReport`` (``None`` if the batch could not start), and
        the journal lets a second run resume.
        """
    def build_request(self, reference: str, *, product: JumioProduct = "scan") -> Request: ...
    def delete_resumed(
        self, reference: str, *, product: JumioProduct = "scan"
    ) -> Union[Deleted, Scheduled]:
        """Deletes an item an earlier run may have deleted: a 404 counts as deleted by absence."""

@final
class JumioPlatform:
    """A client of the Jumio Platform (KYX) delete API: accounts and workflow executions."""

    def __new__(
        cls,
        client_id: str,
        client_secret: str,
        *,
        user_agent: str,
        region: Region = "us",
        base_url: Optional[str] = None,
        connect_timeout: float = ...,
        timeout: float = ...,
        max_attempts: int = ...,
    ) -> Self: ...
    def delete_account(self, account_id: str) -> Union[Deleted, Scheduled]: ...
    def delete_workflow(
        self, account_id: str, workflow_execution_id: str
    ) -> Union[Deleted, Scheduled]: ...
    def delete_many(
        self,
        references: Iterable[str],
        *,
        product: PlatformProduct = "account",
        journal: Optional[_Path] = None,
        concurrency: int = ...,
        rate: Optional[float] = None,
        adaptive_rate: bool = False,
        progress: _ProgressArg = None,
        dry_run: bool = False,
        windows: Optional[_Windows] = None,
        wait_for_windows: bool = False,
        cancel: Optional[threading.Event] = None,
    ) -> BatchReport:
        """Deletes every account id (``product="account"``) or every
        ``"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"`` (``product="workflow"``),
        sharing one access token; Ctrl-C as in ``Jumio.delete_many``."""
    @property
    def token_requests(self) -> int: ...
    def delete_resumed(
        self, reference: str, *, product: PlatformProduct = "account"
    ) -> Union[Deleted, Scheduled]:
        """Deletes an item an earlier run may have deleted: a 404 counts as deleted by absence."""

@final
class HyperVerge:
    """A client of HyperVerge's delete API."""

    def __new__(
        cls,
        app_id: str,
        app_key: str,
        *,
        base_url: Optional[str] = None,
        host: Optional[str] = None,
        connect_timeout: float = ...,
        timeout: float = ...,
        max_attempts: int = ...,
    ) -> Self: ...
    def delete_transaction(self, transaction_id: str) -> Union[Deleted, Scheduled]: ...
    def delete_many(
        self,
        transaction_ids: Iterable[str],
        *,
        journal: Optional[_Path] = None,
        concurrency: int = ...,
        rate: Optional[float] = None,
        adaptive_rate: bool = False,
        progress: _ProgressArg = None,
        dry_run: bool = False,
        windows: Optional[_Windows] = None,
        wait_for_windows: bool = False,
        cancel: Optional[threading.Event] = None,
    ) -> BatchReport:
        """Deletes every transaction id; Ctrl-C as in ``Jumio.delete_many``
        (``KeyboardInterrupt`` with the partial report as ``report``)."""
    def build_request(self, transaction_id: str) -> Request: ...
    def delete_resumed(self, transaction_id: str) -> Union[Deleted, Scheduled]:
        """Deletes a transaction an earlier run may have deleted: a 404 counts as deleted by absence."""

_Product = TypeVar("_Product", bound=str)

@type_check_only
class _LaterClient(Generic[_Product]):
    """What Onfido, Persona, Stripe and Veriff share: a typing aid, not a
    runtime class. ``_Product`` is the class's product names."""

    def delete_many(
        self,
        references: Iterable[str],
        *,
        product: _Product = ...,
        journal: Optional[_Path] = None,
        concurrency: int = ...,
        rate: Optional[float] = None,
        adaptive_rate: bool = False,
        progress: _ProgressArg = None,
        dry_run: bool = False,
        windows: Optional[_Windows] = None,
        wait_for_windows: bool = False,
        cancel: Optional[threading.Event] = None,
    ) -> BatchReport:
        """Deletes every id, journaled and resumable; ``BatchReport.scheduled``
        counts the erasures the vendor completes later. Ctrl-C as in
        ``Jumio.delete_many``."""
    def recheck(
        self, reference: str, *, product: _Product = ...
    ) -> Union[Deleted, Scheduled, None]:
        """``Deleted`` (``confirmed_by == "recheck"``) once the vendor completed
        the erasure, ``Scheduled`` until then, ``None`` where it offers no read."""
    def recheck_journal(
        self, journal: _Path, *, cancel: Optional[threading.Event] = None
    ) -> RecheckReport:
        """Rechecks the journal's scheduled items and appends what the vendor
        says; other vendors' items fail with ``InvalidConfigError`` (Veriff's
        count in ``not_offered``). ``JournalError`` before anything is sent."""
    def build_request(self, reference: str, *, product: _Product = ...) -> Request: ...
    def delete_resumed(
        self, reference: str, *, product: _Product = ...
    ) -> Union[Deleted, Scheduled]:
        """Deletes an item an earlier run may have deleted: a 404 counts as deleted by absence."""

@final
class Onfido(_LaterClient[Literal["applicant"]]):
    """A client of Onfido's applicant deletion (archived, then hard-deleted after a delay)."""

    def __new__(
        cls, api_token: str, *, region: OnfidoRegion = "eu", base_url: Optional[str] = None,
        connect_timeout: float = ..., timeout: float = ..., max_attempts: int = ...,
    ) -> Self: ...
    def delete_applicant(self, applicant_id: str) -> Union[Deleted, Scheduled]: ...

@final
class Persona(_LaterClient[PersonaProduct]):
    """A client of Persona's redactions of inquiries and accounts."""

    def __new__(
        cls, api_key: str, *, base_url: Optional[str] = None,
        connect_timeout: float = ..., timeout: float = ..., max_attempts: int = ...,
    ) -> Self: ...
    def delete_inquiry(self, inquiry_id: str) -> Union[Deleted, Scheduled]: ...
    def delete_account(self, account_id: str) -> Union[Deleted, Scheduled]: ...

@final
class Stripe(_LaterClient[Literal["verification_session"]]):
    """A client of Stripe Identity's redaction of verification sessions (``POST .../redact``)."""

    def __new__(
        cls, secret_key: str, *, base_url: Optional[str] = None,
        connect_timeout: float = ..., timeout: float = ..., max_attempts: int = ...,
    ) -> Self: ...
    def delete_verification_session(
        self, verification_session_id: str
    ) -> Union[Deleted, Scheduled]: ...

@final
class Veriff(_LaterClient[Literal["session"]]):
    """A client of Veriff's session deletion (signed with the shared secret)."""

    def __new__(
        cls, api_key: str, shared_secret: str, *, base_url: Optional[str] = None,
        connect_timeout: float = ..., timeout: float = ..., max_attempts: int = ...,
    ) -> Self: ...
    def delete_session(self, session_id: str) -> Union[Deleted, Scheduled]: ...

@final
class ReferenceStats:
    """How many deletes of one reference were applied and how many got 404."""

    @property
    def product(self) -> Product: ...
    @property
    def reference(self) -> str: ...
    @property
    def applied(self) -> int: ...
    @property
    def not_found(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class Stats:
    """What the emulator has seen since it started or was reset."""

    @property
    def total_requests(self) -> int: ...
    @property
    def connections_accepted(self) -> int: ...
    @property
    def transactions_present(self) -> int: ...
    @property
    def deletes_applied(self) -> int: ...
    @property
    def deletes_not_found(self) -> int: ...
    @property
    def requests(self) -> dict[str, dict[int, int]]: ...
    @property
    def token_requests(self) -> int: ...
    @property
    def tokens_issued(self) -> int: ...
    @property
    def token_refused(self) -> int: ...
    @property
    def token_rate_limited(self) -> int: ...
    @property
    def erasures_pending(self) -> int: ...
    @property
    def api_versions(self) -> dict[str, dict[str, int]]: ...
    @property
    def faults(self) -> dict[str, int]: ...
    def reference(self, product: Product, reference: str) -> Optional[ReferenceStats]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[..., Self], Tuple[object, ...]]: ...

@final
class Emulator:
    """A local server of the delete APIs of every vendor, for tests."""

    def __new__(
        cls,
        *,
        jumio_token: str = ...,
        jumio_secret: str = ...,
        hyperverge_app_id: str = ...,
        hyperverge_app_key: str = ...,
        hyperverge_allowed_ips: Optional[Sequence[str]] = None,
        jumio_client_id: str = ...,
        jumio_client_secret: str = ...,
        token_lifetime: float = ...,
        token_rate_limit: Optional[float] = ...,
        retrieval_rate_limit: Optional[float] = None,
        onfido_api_token: str = ...,
        onfido_deletion_delay: float = ...,
        persona_api_key: str = ...,
        persona_read_only_key: str = ...,
        persona_children_delay: float = ...,
        persona_rate_limit: Optional[int] = ...,
        stripe_secret_key: str = ...,
        stripe_redaction_delay: float = ...,
        stripe_rate_limit: Optional[float] = ...,
        veriff_api_key: str = ...,
        veriff_shared_secret: str = ...,
        veriff_windows: Sequence[Tuple[int, float]] = ...,
        veriff_delete_enabled: bool = True,
    ) -> Self: ...
    @property
    def base_url(self) -> str: ...
    def seed(
        self, product: Product, references: Iterable[str], *, state: Optional[SeedState] = None
    ) -> None: ...
    def stats(self) -> Stats: ...
    def set_faults(
        self,
        *,
        seed: int = ...,
        p500: float = ...,
        p502: float = ...,
        p503: float = ...,
        p504: float = ...,
        p429: float = ...,
        p503_retry_after: float = ...,
        retry_after_secs: int = ...,
        retry_after_format: RetryAfterFormat = ...,
        latency_ms: int = ...,
        latency_jitter_ms: int = ...,
        p_reset_before: float = ...,
        p_reset_after: float = ...,
        p_truncate: float = ...,
        rate_limit: Optional[float] = ...,
        rate_burst: int = ...,
        token_p500: float = ...,
        token_p503: float = ...,
    ) -> None: ...
    def reset(self) -> None: ...
    def revoke_tokens(self) -> int: ...
    def shutdown(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[types.TracebackType],
        /,
    ) -> None: ...
