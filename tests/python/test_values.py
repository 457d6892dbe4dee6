"""Results and exceptions are values: they compare by value, hash, and
pickle, so a multiprocessing worker returns what it deleted; and the
closed sets of strings (`Literal` types in the stubs) are exactly what the
native module accepts."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
import typing
import uuid
from pathlib import Path

import pytest

import idv_delete
from idv_delete import _errors, _native
from idv_delete.testing import (
    HYPERVERGE_APP_ID,
    HYPERVERGE_APP_KEY,
    JUMIO_SECRET,
    JUMIO_TOKEN,
    ONFIDO_API_TOKEN,
    STRIPE_SECRET_KEY,
    Emulator,
)

from conftest import USER_AGENT, fast_jumio, refs, uuids

#: Classes of the native module that are not values: the clients and
#: requests carry credentials (a pickle would write them out), and an
#: emulator is a running server.
NOT_VALUES = {
    "Jumio", "JumioPlatform", "HyperVerge", "Onfido", "Persona", "Stripe", "Veriff", "Request", "Emulator",
    # One client for every vendor and its credentials (secrets: never pickled).
    "Client", "JumioCredentials", "JumioPlatformCredentials", "HyperVergeCredentials",
    "OnfidoCredentials", "PersonaCredentials", "StripeCredentials", "VeriffCredentials",
    # A driver's live state machines and their actions, not results.
    "DeleteOp", "Send", "Wait", "Authorize", "Done", "TokenState", "BearerToken", "Use",
    "AwaitFetch", "Refused",
    # Views of journal files as they were read (read_journal): read them again.
    "JournalView", "JournalInfo", "JournalRun", "Counts", "Subject", "CrossDuplicate",
    "JournalItem",
}


def copy(value: object) -> object:
    return pickle.loads(pickle.dumps(value))


def same(a: object, b: object) -> bool:
    """`a == b`, but exceptions (which compare by identity) by value."""
    if isinstance(a, BaseException):
        return type(a) is type(b) and a.args == b.args and vars(a) == vars(b)  # type: ignore[attr-defined]
    return a == b


VERIFF_COMPLETES = "Veriff deletes the session's data within 12 hours."


def scheduled_values() -> list[object]:
    """Hand-made: no vendor of this step answers an erasure completed later
    (the vendors' own tests drive real ones once their modules land)."""
    return [
        idv_delete.Scheduled._restore(VERIFF_COMPLETES, (43200, 0), None, None, None, 1),  # type: ignore[attr-defined]
        idv_delete.Scheduled._restore(  # type: ignore[attr-defined]
            "Stripe redacts the session within four days.", (345600, 5),
            "2030-01-02T03:04:05Z", "processing", "redaction pending", 2,
        ),
    ]


def every_result(emulator: Emulator, tmp_path: Path) -> dict[str, list[object]]:
    """One or more instances of every value class of the native module, real
    but for ``Scheduled``."""
    jumio_refs, hv_ids = refs(3), refs(2, "hv")
    emulator.seed("scan", jumio_refs)
    emulator.seed("transaction", hv_ids)
    jumio = fast_jumio(emulator)
    hyperverge = idv_delete.HyperVerge(
        HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY, base_url=emulator.base_url, max_attempts=1
    )
    deleted: list[object] = [jumio.delete_scan(jumio_refs[0]), hyperverge.delete_transaction(hv_ids[0])]
    progress: list[idv_delete.Progress] = []
    ok = jumio.delete_many(jumio_refs[1:], journal=tmp_path / "ok.journal", progress=progress.append)
    emulator.set_faults(p500=1.0)
    failing = hyperverge.delete_many([hv_ids[1], "missing"])
    emulator.set_faults()
    # A recheck with one vendor's client, and with another's: its failures.
    sessions = ["vs_values1", "vs_values2"]
    emulator.seed("verification_session", sessions)
    stripe = idv_delete.Stripe(STRIPE_SECRET_KEY, base_url=emulator.base_url)
    stripe.delete_many(sessions, journal=tmp_path / "stripe.journal")
    rechecked = stripe.recheck_journal(tmp_path / "stripe.journal")
    onfido = idv_delete.Onfido(ONFIDO_API_TOKEN, base_url=emulator.base_url)
    refused = onfido.recheck_journal(tmp_path / "stripe.journal")
    stats = emulator.stats()
    reference = stats.reference("scan", jumio_refs[0])
    assert reference is not None and failing.failures and progress and refused.failures
    return {
        "Deleted": deleted,
        "Scheduled": scheduled_values(),
        "Progress": list(progress),
        "BatchReport": [ok, failing],
        "FailedItem": list(failing.failures),
        "RecheckReport": [rechecked, refused],
        "Stats": [stats],
        "ReferenceStats": [reference],
        "Item": [
            idv_delete.Item("jumio-platform", "workflow", f"{uuid.uuid4()}/{uuid.uuid4()}", region="eu"),
            idv_delete.Item("hyperverge", "transaction", "HV 7"),
        ],
    }


def test_every_result_class_pickles_and_compares(emulator: Emulator, tmp_path: Path) -> None:
    results = every_result(emulator, tmp_path)
    classes = {name for name, _ in inspect.getmembers(_native, inspect.isclass)}
    assert classes == set(results) | NOT_VALUES
    for name, values in results.items():
        for value in values:
            assert type(value).__name__ == name
            again = copy(value)
            assert type(again) is type(value)
            assert again == value and not (again != value)
            assert hash(again) == hash(value)
            assert repr(again) == repr(value)
            assert again != "something else"
            for field in dir(value):
                if not field.startswith("_") and not callable(getattr(value, field)):
                    assert same(getattr(again, field), getattr(value, field)), (name, field)
    report = results["BatchReport"][1]
    assert isinstance(report, idv_delete.BatchReport)
    assert report.failed == {"server": 2}
    restored = copy(report)
    assert isinstance(restored, idv_delete.BatchReport)
    assert [f.error.status for f in restored.failures] == [f.error.status for f in report.failures]
    assert len({*results["Deleted"], *map(copy, results["Deleted"])}) == 2
    assert len({*results["Scheduled"], *map(copy, results["Scheduled"])}) == 2


def test_different_values_are_unequal(emulator: Emulator, tmp_path: Path) -> None:
    results = every_result(emulator, tmp_path)
    jumio_deleted, hv_deleted = results["Deleted"]
    assert jumio_deleted != hv_deleted
    ok, failing = results["BatchReport"]
    assert ok != failing
    rechecked, refused = results["RecheckReport"]
    assert rechecked != refused
    progress = idv_delete.Progress._restore(1, 1, 0, 0, 0, 0, 0)  # type: ignore[attr-defined]
    assert progress == idv_delete.Progress._restore(1, 1, 0, 0, 0, 0, 0)  # type: ignore[attr-defined]
    assert progress != idv_delete.Progress._restore(2, 1, 1, 0, 0, 0, 0)  # type: ignore[attr-defined]
    assert progress != idv_delete.Progress._restore(1, 0, 1, 0, 0, 0, 0)  # type: ignore[attr-defined]
    veriff, stripe = results["Scheduled"]
    assert veriff != stripe and veriff != jumio_deleted and jumio_deleted != veriff
    stats = results["Stats"][0]
    emulator.seed("scan", refs(1))
    assert emulator.stats() != stats


def test_failed_items_compare_their_error_by_value() -> None:
    def item(status: int) -> idv_delete.FailedItem:
        error = _errors._from_native("server", "vendor failed", status, None, None, 1, True)
        failed: idv_delete.FailedItem = idv_delete.FailedItem._restore(3, "ref", error)  # type: ignore[attr-defined]
        return failed

    assert item(500) == item(500) and hash(item(500)) == hash(item(500))
    assert item(500) != item(503)


def test_restoring_checks_the_closed_sets() -> None:
    for confirmed_by in typing.get_args(idv_delete.ConfirmedBy):
        deleted = idv_delete.Deleted._restore((), None, confirmed_by, 1)  # type: ignore[attr-defined]
        assert deleted.confirmed_by == confirmed_by
    with pytest.raises(ValueError, match="confirmed_by"):
        idv_delete.Deleted._restore((), None, "guess", 1)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="not an error kind"):
        idv_delete.BatchReport._restore(  # type: ignore[attr-defined]
            [0] * 11, [("gremlins", 1)], 0, (False, False), (), ()
        )
    with pytest.raises(ValueError, match="FailedItem"):
        idv_delete.BatchReport._restore([0] * 11, [], 0, (False, False), (), ("x",))  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="nanoseconds"):
        idv_delete.Scheduled._restore("later", (1, 10**9), None, None, None, 1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", sorted(_errors._CLASSES))
def test_every_exception_pickles_with_its_fields(kind: idv_delete.ErrorKind) -> None:
    cls = _errors._CLASSES[kind]
    error = _errors._from_native(kind, f"{kind} happened", 503, "busy", 2.5, 3, True)
    again = copy(error)
    assert type(again) is cls
    assert str(again) == str(error) and again.args == error.args
    assert vars(again) == vars(error) == {
        "status": 503, "vendor_message": "busy", "retry_after": 2.5, "attempts": 3, "in_doubt": True,
    }


def test_objects_with_credentials_refuse_to_pickle(emulator: Emulator) -> None:
    jumio = fast_jumio(emulator)
    platform = idv_delete.JumioPlatform("id", "secret", user_agent=USER_AGENT)
    for value in (jumio, platform, jumio.build_request("r"), emulator):
        with pytest.raises(TypeError):
            pickle.dumps(value)


# Top-level functions, so a spawned worker process can import them.
def _delete_in_worker(base_url: str, reference: str) -> idv_delete.Deleted | idv_delete.Scheduled:
    jumio = idv_delete.Jumio(JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, base_url=base_url)
    return jumio.delete_scan(reference)


def _batch_in_worker(base_url: str, references: list[str]) -> idv_delete.BatchReport:
    jumio = idv_delete.Jumio(JUMIO_TOKEN, JUMIO_SECRET, user_agent=USER_AGENT, base_url=base_url)
    return jumio.delete_many(references)


def test_a_pool_worker_returns_what_it_deleted(emulator: Emulator) -> None:
    """A real `multiprocessing.Pool` (spawn: a fresh interpreter, nothing
    inherited) deletes against this process's emulator and sends back its
    results, and its errors, through pickle."""
    deleted_ref, batch_refs = refs(1)[0], refs(2)
    emulator.seed("scan", [deleted_ref, batch_refs[0]])
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        deleted = pool.apply(_delete_in_worker, (emulator.base_url, deleted_ref))
        report = pool.apply(_batch_in_worker, (emulator.base_url, batch_refs))
        with pytest.raises(idv_delete.NotFoundError) as caught:
            pool.apply(_delete_in_worker, (emulator.base_url, deleted_ref))
    assert isinstance(deleted, idv_delete.Deleted)
    assert (deleted.confirmed_by, deleted.attempts, deleted.audits) == ("response", 1, ())
    assert isinstance(report, idv_delete.BatchReport)
    assert (report.deleted, report.not_found, report.attempts) == (1, 1, 2)
    assert (caught.value.kind, caught.value.status, caught.value.attempts) == ("not_found", 404, 1)
    counts = emulator.stats().reference("scan", deleted_ref)
    assert counts is not None and (counts.applied, counts.not_found) == (1, 1)


def test_literal_types_are_what_the_native_module_accepts(emulator: Emulator) -> None:
    assert set(typing.get_args(idv_delete.ErrorKind)) == set(idv_delete.ERROR_KINDS)
    assert set(_errors._CLASSES) == {*typing.get_args(idv_delete.ErrorKind), "journal"}
    for region in typing.get_args(idv_delete.Region):
        idv_delete.Jumio("t", "s", user_agent=USER_AGENT, region=region)
    jumio = fast_jumio(emulator)
    for product in typing.get_args(idv_delete.JumioProduct):
        assert jumio.build_request("r", product=product).method == "DELETE"
    platform = idv_delete.JumioPlatform("id", "s", user_agent=USER_AGENT)
    for platform_product in typing.get_args(idv_delete.PlatformProduct):
        assert platform.delete_many([], product=platform_product).done == 0
    for onfido_region in typing.get_args(idv_delete.OnfidoRegion):
        onfido = idv_delete.Onfido("t", region=onfido_region)
        assert f".{onfido_region}." in onfido.build_request(uuids(1)[0]).url
    persona = idv_delete.Persona("k")
    for persona_product in typing.get_args(idv_delete.PersonaProduct):
        assert persona.delete_many([], product=persona_product).done == 0
    assert set(typing.get_args(idv_delete.Product)) == {
        *typing.get_args(idv_delete.JumioProduct),
        *typing.get_args(idv_delete.PlatformProduct),
        *typing.get_args(idv_delete.PersonaProduct),
        "transaction",
        "applicant",
        "verification_session",
        "session",
    }
    account, workflow = uuids(2)
    seeds = {"account": account, "workflow": f"{account}/{workflow}"}
    for product in typing.get_args(idv_delete.Product):
        emulator.seed(product, [seeds.get(product, "r")])
    emulator.seed("account", ["act_1"])  # Persona's
    seeded: dict[idv_delete.Product, str] = {
        "applicant": uuids(1)[0],
        "inquiry": "inq_1",
        "verification_session": "vs_1",
        "session": uuids(1)[0],
    }
    for state in typing.get_args(idv_delete.testing.SeedState):
        assert any(_seeds_in(emulator, product, ref, state) for product, ref in seeded.items()), state
    for retry_after_format in typing.get_args(idv_delete.testing.RetryAfterFormat):
        emulator.set_faults(retry_after_format=retry_after_format)


def _seeds_in(emulator: Emulator, product: idv_delete.Product, reference: str, state: str) -> bool:
    """Whether the emulator takes `state` for `product`."""
    try:
        emulator.seed(product, [reference], state=state)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def test_scheduled_is_a_success_apart_from_deleted() -> None:
    veriff, stripe = scheduled_values()
    assert isinstance(veriff, idv_delete.Scheduled) and isinstance(stripe, idv_delete.Scheduled)
    assert not isinstance(veriff, idv_delete.Deleted)
    assert (veriff.completes, veriff.within, veriff.until) == (VERIFF_COMPLETES, 43200.0, None)
    assert (veriff.vendor_status, veriff.vendor_message, veriff.attempts) == (None, None, 1)
    assert (stripe.until, stripe.vendor_status, stripe.attempts) == ("2030-01-02T03:04:05Z", "processing", 2)
    assert stripe.within == 345600 + 5 / 1e9
    # The pickle keeps `within` to the nanosecond, not as a rounded float.
    nearly = idv_delete.Scheduled._restore(  # type: ignore[attr-defined]
        "Stripe redacts the session within four days.", (345600, 6),
        "2030-01-02T03:04:05Z", "processing", "redaction pending", 2,
    )
    assert copy(stripe) == stripe != nearly
    assert repr(veriff) == (
        f"Scheduled(completes={VERIFF_COMPLETES!r}, within=43200.0, until=None, "
        "vendor_status=None, vendor_message=None, attempts=1)"
    )
    assert "vendor_status='processing'" in repr(stripe)


def test_reports_count_scheduled_apart_from_deleted() -> None:
    # deleted_by_response, deleted_by_absence, scheduled, not_found, in_doubt,
    # would_delete, skipped, resumed_in_doubt, attempts, failures_omitted,
    # token_requests: the order of `_restore`.
    counts = [2, 1, 4, 1, 0, 0, 5, 0, 8, 0, 0]
    report = idv_delete.BatchReport._restore(counts, [], 0, (False, False), (), ())  # type: ignore[attr-defined]
    assert (report.deleted, report.scheduled, report.not_found, report.skipped) == (3, 4, 1, 5)
    assert report.done == 8
    assert report.all_succeeded  # scheduled is a success
    assert "deleted=3, scheduled=4, not_found=1" in repr(report)
    assert copy(report) == report
    assert report != idv_delete.BatchReport._restore(  # type: ignore[attr-defined]
        [2, 1, 0, 5, 0, 0, 5, 0, 8, 0, 0], [], 0, (False, False), (), ()
    )
    progress = idv_delete.Progress._restore(8, 3, 4, 1, 0, 0, 5)  # type: ignore[attr-defined]
    assert (progress.deleted, progress.scheduled, progress.done) == (3, 4, 8)
    assert repr(progress) == (
        "Progress(done=8, deleted=3, scheduled=4, not_found=1, failed=0, in_flight=0, skipped=5)"
    )


def test_a_batch_without_scheduled_erasures_counts_none(emulator: Emulator) -> None:
    """Jumio erases at once: a real batch's progress and report count every
    item deleted and none scheduled."""
    items = refs(3)
    emulator.seed("scan", items)
    seen: list[idv_delete.Progress] = []
    report = fast_jumio(emulator).delete_many(items, progress=seen.append)
    assert (report.deleted, report.scheduled, report.done) == (3, 0, 3)
    assert max(p.done for p in seen) == 3 and all(p.scheduled == 0 for p in seen)
