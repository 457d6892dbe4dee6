"""The bad-input catalogue (tests/vectors/bad_inputs.json) through Python.

Every entry meant for Python goes to each constructor or method that takes
its field, which must raise the entry's exception class (both are also
``ValueError``\\ s) with the entry's phrase in the message, report that
nothing was sent, and leave the emulator without a single request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple, Type, Union

import pytest

import idv_delete
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_CLIENT_ID,
    JUMIO_CLIENT_SECRET,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    ONFIDO_API_TOKEN,
    PERSONA_API_KEY,
    STRIPE_SECRET_KEY,
    VERIFF_API_KEY,
    VERIFF_SHARED_SECRET,
    Emulator,
)

from conftest import USER_AGENT

CATALOGUE = Path(__file__).resolve().parents[1] / "vectors" / "bad_inputs.json"
ENTRIES: List[Dict[str, Any]] = json.loads(CATALOGUE.read_text(encoding="utf-8"))["entries"]
PYTHON_ENTRIES = [e for e in ENTRIES if "python" in e["surfaces"]]

CLASSES: Dict[str, Type[idv_delete.Error]] = {
    "invalid_reference": idv_delete.InvalidReferenceError,
    "invalid_config": idv_delete.InvalidConfigError,
}

Call = Tuple[str, Callable[[], object]]

LaterClient = Union[idv_delete.Onfido, idv_delete.Persona, idv_delete.Stripe, idv_delete.Veriff]

#: The clients of the vendors that erase later, by class name.
LATER_CLIENTS: Dict[str, Callable[[str], LaterClient]] = {
    "Onfido": lambda url: idv_delete.Onfido(ONFIDO_API_TOKEN, base_url=url),
    "Persona": lambda url: idv_delete.Persona(PERSONA_API_KEY, base_url=url),
    "Stripe": lambda url: idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=url),
    "Veriff": lambda url: idv_delete.Veriff(VERIFF_API_KEY, VERIFF_SHARED_SECRET, base_url=url),
}

#: The id fields of the vendors that erase later: the client's class, its
#: single-deletion method and the product the id is of.
LATER_IDS: Dict[str, Tuple[str, str, str]] = {
    "onfido_applicant_id": ("Onfido", "delete_applicant", "applicant"),
    "persona_inquiry_id": ("Persona", "delete_inquiry", "inquiry"),
    "persona_account_id": ("Persona", "delete_account", "account"),
    "stripe_session_id": ("Stripe", "delete_verification_session", "verification_session"),
    "veriff_session_id": ("Veriff", "delete_session", "session"),
}


def later_id_calls(field: str, value: str, base_url: str) -> List[Call]:
    """Every way a later vendor's client takes an id of `field`."""
    name, method, product = LATER_IDS[field]
    client: Any = LATER_CLIENTS[name](base_url)  # the product names differ by class
    return [
        (f"{name}.{method}", lambda: getattr(client, method)(value)),
        (f"{name}.recheck", lambda: client.recheck(value, product=product)),
        (f"{name}.build_request", lambda: client.build_request(value, product=product)),
        (
            f"{name}.delete_many",
            lambda: client.delete_many([value], product=product, concurrency=1),
        ),
        (
            f"{name}.delete_many(dry_run)",
            lambda: client.delete_many([value], product=product, dry_run=True),
        ),
    ]


def calls(entry: Dict[str, Any], base_url: str) -> List[Call]:
    """Every way Python takes the entry's field, each a named thunk."""
    value: str = entry["input"]
    jumio = idv_delete.Jumio(
        JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, region="eu", base_url=base_url
    )
    hyperverge = idv_delete.HyperVerge(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, base_url=base_url)
    field = entry["field"]
    if field == "jumio_reference":
        return [
            ("Jumio.delete_scan", lambda: jumio.delete_scan(value)),
            ("Jumio.delete_authentication", lambda: jumio.delete_authentication(value)),
            ("Jumio.delete_document", lambda: jumio.delete_document(value)),
            ("Jumio.build_request", lambda: jumio.build_request(value)),
            (
                "Jumio.build_request(document)",
                lambda: jumio.build_request(value, product="document"),
            ),
            ("Jumio.delete_many", lambda: jumio.delete_many([value], concurrency=1)),
            ("Jumio.delete_many(dry_run)", lambda: jumio.delete_many([value], dry_run=True)),
        ]
    if field == "hyperverge_id":
        return [
            ("HyperVerge.delete_transaction", lambda: hyperverge.delete_transaction(value)),
            ("HyperVerge.build_request", lambda: hyperverge.build_request(value)),
            ("HyperVerge.delete_many", lambda: hyperverge.delete_many([value], concurrency=1)),
            (
                "HyperVerge.delete_many(dry_run)",
                lambda: hyperverge.delete_many([value], dry_run=True),
            ),
        ]
    if field == "base_url":
        return [
            (
                "Jumio(base_url=)",
                lambda: idv_delete.Jumio(
                    JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, base_url=value
                ),
            ),
            (
                "HyperVerge(base_url=)",
                lambda: idv_delete.HyperVerge(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, base_url=value),
            ),
        ]
    if field == "hyperverge_host":
        return [
            (
                "HyperVerge(host=)",
                lambda: idv_delete.HyperVerge(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, host=value),
            )
        ]
    if field == "user_agent":
        return [
            (
                "Jumio(user_agent=)",
                lambda: idv_delete.Jumio(
                    JUMIO_TOKEN, JUMIO_SECRET, user_agent=value, base_url=base_url
                ),
            )
        ]
    if field == "jumio_token":
        return [
            (
                "Jumio(api_token)",
                lambda: idv_delete.Jumio(
                    value, JUMIO_SECRET, user_agent=USER_AGENT, base_url=base_url
                ),
            )
        ]
    if field == "jumio_secret":
        return [
            (
                "Jumio(api_secret)",
                lambda: idv_delete.Jumio(
                    JUMIO_TOKEN, value, user_agent=USER_AGENT, base_url=base_url
                ),
            )
        ]
    if field == "hyperverge_app_id":
        return [
            (
                "HyperVerge(app_id)",
                lambda: idv_delete.HyperVerge(value, HYPERVERGE_APP_KEY, base_url=base_url),
            )
        ]
    if field == "hyperverge_app_key":
        return [
            (
                "HyperVerge(app_key)",
                lambda: idv_delete.HyperVerge(HYPERVERGE_APP_ID, value, base_url=base_url),
            )
        ]
    if field == "region":
        return [
            (
                "Jumio(region=)",
                lambda: idv_delete.Jumio(
                    # A value the Literal type forbids: the runtime check is under test.
                    JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, region=value, base_url=base_url  # type: ignore[arg-type]
                ),
            )
        ]
    if field == "jumio_product":
        return [
            # Values the Literal type forbids: the runtime check is under test.
            ("Jumio.build_request(product=)", lambda: jumio.build_request("ref-1", product=value)),  # type: ignore[arg-type]
            ("Jumio.delete_many(product=)", lambda: jumio.delete_many(["ref-1"], product=value)),  # type: ignore[arg-type]
        ]
    if field in LATER_IDS:
        return later_id_calls(field, value, base_url)
    if field == "onfido_region":
        return [
            (
                "Onfido(region=)",
                # A value the Literal type forbids: the runtime check is under test.
                lambda: idv_delete.Onfido(ONFIDO_API_TOKEN, region=value, base_url=base_url),  # type: ignore[arg-type]
            )
        ]
    if field == "stripe_secret_key":
        return [("Stripe(secret_key)", lambda: idv_delete.Stripe(value, base_url=base_url))]
    if field == "veriff_shared_secret":
        return [
            (
                "Veriff(shared_secret)",
                lambda: idv_delete.Veriff(VERIFF_API_KEY, value, base_url=base_url),
            )
        ]
    raise AssertionError(f"{entry['id']}: no Python mapping for the field {field!r}")


def test_the_catalogue_is_big_enough() -> None:
    assert len(ENTRIES) >= 50
    assert len(PYTHON_ENTRIES) >= 50
    assert {e["kind"] for e in PYTHON_ENTRIES} <= set(CLASSES)


@pytest.mark.parametrize("entry", PYTHON_ENTRIES, ids=[e["id"] for e in PYTHON_ENTRIES])
def test_bad_input_is_refused_before_any_request(entry: Dict[str, Any]) -> None:
    expected = CLASSES[entry["kind"]]
    with Emulator() as emulator:
        emulator.seed("scan", ["ref-1"])
        emulator.seed("transaction", ["txn-1"])
        for name, call in calls(entry, emulator.base_url):
            with pytest.raises(expected) as caught:
                call()
            error = caught.value
            assert type(error) is expected, name
            assert isinstance(error, ValueError), name
            assert error.kind == entry["kind"], name
            assert entry["phrase"] in str(error), f"{name}: {error}"
            assert (error.status, error.attempts, error.in_doubt) == (None, 0, False), name
            assert emulator.stats().total_requests == 0, f"{name} sent a request"


GOOD_ID = "2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f20"

#: Jumio Platform ids that are not UUIDs, path tricks first; each with a
#: phrase of the core's message.
PLATFORM_IDS = [
    ("", "is empty"),
    ("..", "character '.'"),
    ("../accounts", "character '.'"),
    (f"{GOOD_ID}/..", "character '/'"),
    (f"{GOOD_ID}?x=1", "character '?'"),
    (f"{GOOD_ID}#frag", "character '#'"),
    (f"{GOOD_ID}%2F", "character '%'"),
    (f" {GOOD_ID}", "character ' '"),
    (f"{GOOD_ID}\n", "character '\\n'"),
    ("2b6f4c1e9d1a4f7e8a430c7d5e9b1f20", "8-4-4-4-12"),
    ("2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2", "8-4-4-4-12"),
    ("ref-1", "character 'r'"),
    ("2b6f4c1e-9d1a-4f7e-8a43-0c7d5e9b1f2\u00e9", "character"),
]


def platform_calls(value: str, base_url: str) -> List[Call]:
    """Every way the Jumio Platform client takes an id. The last two join
    it into ``ACCOUNT_ID/WORKFLOW_ID``, where a ``/`` in the value moves the
    split: the message may then name another character."""
    platform = idv_delete.JumioPlatform(
        JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, user_agent=USER_AGENT, base_url=base_url
    )
    return [
        ("delete_account", lambda: platform.delete_account(value)),
        ("delete_workflow(account)", lambda: platform.delete_workflow(value, GOOD_ID)),
        ("delete_workflow(workflow)", lambda: platform.delete_workflow(GOOD_ID, value)),
        ("delete_many(account)", lambda: platform.delete_many([value], concurrency=1)),
        (
            "delete_many(workflow) joined",
            lambda: platform.delete_many([f"{GOOD_ID}/{value}"], product="workflow"),
        ),
        (
            "delete_many(workflow, dry_run) joined",
            lambda: platform.delete_many([f"{value}/{GOOD_ID}"], product="workflow", dry_run=True),
        ),
    ]


@pytest.mark.parametrize(("value", "phrase"), PLATFORM_IDS, ids=[repr(v) for v, _ in PLATFORM_IDS])
def test_platform_ids_are_uuids_before_any_request(value: str, phrase: str) -> None:
    with Emulator() as emulator:
        emulator.seed("account", [GOOD_ID])
        for name, call in platform_calls(value, emulator.base_url):
            with pytest.raises(idv_delete.InvalidReferenceError) as caught:
                call()
            error = caught.value
            assert isinstance(error, ValueError), name
            assert "UUID" in str(error), f"{name}: {error}"
            if not name.endswith("joined") or "/" not in value:
                assert phrase in str(error), f"{name}: {error}"
            assert (error.status, error.attempts, error.in_doubt) == (None, 0, False), name
            stats = emulator.stats()
            assert (stats.total_requests, stats.token_requests) == (0, 0), f"{name} sent a request"


def test_a_workflow_needs_its_account() -> None:
    with Emulator() as emulator:
        platform = idv_delete.JumioPlatform(
            JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, user_agent=USER_AGENT, base_url=emulator.base_url
        )
        with pytest.raises(idv_delete.InvalidReferenceError, match="ACCOUNT_ID/WORKFLOW_ID"):
            platform.delete_many([GOOD_ID], product="workflow")
        assert emulator.stats().total_requests == 0
