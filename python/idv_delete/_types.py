"""The closed sets of idv_delete as ``Literal`` types.

A region, a product or an error kind is one of a few strings; naming them
as ``Literal`` types lets a type checker catch ``region="EU"`` or a
misspelt kind before a deletion runs. They exist at runtime too, so a
script can check a value read from the environment::

    import typing
    if region not in typing.get_args(idv_delete.Region): ...

The runtime check is the client's all the same: a value outside the set
raises :class:`idv_delete.InvalidConfigError` (or ``ValueError``) naming
the choices. A test compares each set with what the native module accepts.
"""

from __future__ import annotations

from typing import Literal

#: A Jumio data centre: ``region=`` of :class:`idv_delete.Jumio` and
#: :class:`idv_delete.JumioPlatform` (``"us"`` is the platform's
#: ``amer-1``, ``"eu"`` ``emea-1``, ``"sgp"`` ``apac-1``).
Region = Literal["us", "eu", "sgp"]

#: An Onfido region: ``region=`` of :class:`idv_delete.Onfido`, each its
#: own host (``api.eu.onfido.com``...).
OnfidoRegion = Literal["eu", "us", "ca"]

#: A vendor, as journals, CSV files and the CLI name them.
Vendor = Literal["jumio", "jumio-platform", "hyperverge", "onfido", "persona", "stripe", "veriff"]

#: A Jumio product: ``product=`` of ``Jumio.delete_many`` and
#: ``Jumio.build_request``.
JumioProduct = Literal["scan", "authentication", "document"]

#: What a Jumio Platform deletion erases: ``product=`` of
#: ``JumioPlatform.delete_many``. An ``"account"`` is named by its id, a
#: ``"workflow"`` execution by ``"ACCOUNT_ID/WORKFLOW_EXECUTION_ID"``.
PlatformProduct = Literal["account", "workflow"]

#: What a Persona redaction erases: ``product=`` of
#: ``Persona.delete_many``, ``Persona.recheck`` and ``Persona.build_request``.
#: An ``"inquiry"`` is named ``inq_...``, an ``"account"`` ``act_...``.
PersonaProduct = Literal["inquiry", "account"]

#: A product of any vendor, as the emulator, journals and the CLI name
#: them: Jumio's three, the Jumio Platform's two (``"account"`` is
#: Persona's too), HyperVerge's ``"transaction"``, Onfido's
#: ``"applicant"``, Persona's ``"inquiry"``, Stripe's
#: ``"verification_session"`` and Veriff's ``"session"``.
Product = Literal[
    "scan",
    "authentication",
    "document",
    "account",
    "workflow",
    "transaction",
    "applicant",
    "inquiry",
    "verification_session",
    "session",
]

#: How a deletion was confirmed: ``Deleted.confirmed_by``. ``"recheck"``:
#: a later read of the vendor showed that a :class:`idv_delete.Scheduled`
#: erasure completed.
ConfirmedBy = Literal["response", "absence", "recheck"]

#: The kind of a deletion failure: ``Error.kind``, the keys of
#: ``BatchReport.failed``, the items of ``idv_delete.ERROR_KINDS``.
#: (:class:`idv_delete.JournalError`'s kind, ``"journal"``, is a batch's,
#: not a deletion's.)
ErrorKind = Literal[
    "invalid_reference",
    "invalid_config",
    "not_found",
    "unauthorized",
    "forbidden",
    "invalid_input",
    "rate_limited",
    "server",
    "unexpected_response",
    "timeout",
    "connect",
    "tls",
    "io",
    "cancelled",
    "not_deletable_yet",
    "invalid_subject",
]

#: A vendor's state of a seeded object: ``state=`` of ``Emulator.seed``.
#: Onfido ``"with_check"`` (the default: archived, then deleted) or
#: ``"no_check"`` (deleted at once); Persona ``"completed"`` or ``"pending"``
#: (409); Stripe ``"verified"``, ``"requires_input"``, ``"processing"`` or
#: ``"canceled"`` (the last two refused); Veriff ``"completed"``,
#: ``"in_progress"`` (1305) or ``"submitted"`` (1306).
SeedState = Literal[
    "with_check",
    "no_check",
    "completed",
    "pending",
    "verified",
    "requires_input",
    "processing",
    "canceled",
    "in_progress",
    "submitted",
]

#: How the emulator writes ``Retry-After``: ``retry_after_format=`` of
#: ``Emulator.set_faults``.
RetryAfterFormat = Literal["seconds", "http-date"]
