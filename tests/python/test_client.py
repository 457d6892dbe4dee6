"""`idv_delete.Client`: one client for every vendor, its `DeleteOp` and
`TokenState` driven by a synchronous loop over `http.client`, and the
per-vendor classes' `delete_resumed`, `adaptive_rate=` and `cancel=`.
Everything runs against the in-process emulator."""

from __future__ import annotations

import os
import pickle
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

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

from conftest import USER_AGENT, refs
from sync_driver import drive


def every_credential() -> Dict[str, Any]:
    """The emulator's credentials of every vendor, as Client keywords."""
    return {
        "jumio": idv_delete.JumioCredentials(JUMIO_TOKEN, JUMIO_SECRET, USER_AGENT),
        "jumio_platform": idv_delete.JumioPlatformCredentials(
            JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, USER_AGENT
        ),
        "hyperverge": idv_delete.HyperVergeCredentials(HYPERVERGE_APP_ID, HYPERVERGE_APP_KEY),
        "onfido": idv_delete.OnfidoCredentials(ONFIDO_API_TOKEN),
        "persona": idv_delete.PersonaCredentials(PERSONA_API_KEY),
        "stripe": idv_delete.StripeCredentials(STRIPE_SECRET_KEY),
        "veriff": idv_delete.VeriffCredentials(VERIFF_API_KEY, VERIFF_SHARED_SECRET),
    }


def alnum() -> str:
    return uuid.uuid4().hex[:16]


def one_of_each(emulator: Emulator) -> List[idv_delete.Item]:
    """One seeded item of every vendor (two of Jumio's), as Items."""
    scans = refs(2, "scan")
    account, applicant, session = (str(uuid.uuid4()) for _ in range(3))
    transaction, inquiry, vs = f"HV-{alnum()}", f"inq_{alnum()}", f"vs_{alnum()}"
    for product, reference in [
        ("scan", scans[0]), ("scan", scans[1]), ("account", account),
        ("transaction", transaction), ("applicant", applicant), ("inquiry", inquiry),
        ("verification_session", vs), ("session", session),
    ]:
        emulator.seed(product, [reference])  # type: ignore[arg-type]
    return [
        idv_delete.Item("jumio", "scan", scans[0], region="us"),
        idv_delete.Item("jumio", "scan", scans[1], region="us"),
        idv_delete.Item("jumio-platform", "account", account, region="us"),
        idv_delete.Item("hyperverge", "transaction", transaction),
        idv_delete.Item("onfido", "applicant", applicant, region="eu"),
        idv_delete.Item("persona", "inquiry", inquiry),
        idv_delete.Item("stripe", "verification_session", vs),
        idv_delete.Item("veriff", "session", session),
    ]


@pytest.fixture
def client(emulator: Emulator) -> idv_delete.Client:
    return idv_delete.Client(
        **every_credential(), base_url=emulator.base_url, max_attempts=10, base_delay=0.01
    )


def test_one_journaled_batch_over_every_vendor_resumes_and_rechecks(
    emulator: Emulator, client: idv_delete.Client, tmp_path: Path
) -> None:
    items = one_of_each(emulator)
    journal = tmp_path / "mixed.journal"
    # A tuple is an item too: (vendor, product, region, reference).
    mixed: List[Any] = [*items[:-1], ("veriff", "session", None, items[-1].reference)]
    report = client.delete_many(mixed, journal=journal, concurrency=4)
    assert (report.deleted, report.scheduled, report.failed_total) == (4, 4, 0), report
    assert report.token_requests == 1
    for item in items:
        product = "account" if item.vendor == "jumio-platform" else item.product
        stats = emulator.stats().reference(product, item.reference)  # type: ignore[arg-type]
        assert stats is not None and stats.applied == 1
    sent = emulator.stats().total_requests
    # The same journal again: every item is finished, nothing is sent.
    again = client.delete_many(iter(mixed), journal=journal)
    assert (again.skipped, again.deleted, again.scheduled) == (8, 0, 0)
    assert emulator.stats().total_requests == sent
    # The journal is one run over seven vendors: its recheck asks each
    # scheduled item's vendor (Veriff offers no read).
    rechecked = client.recheck_journal(journal)
    assert (rechecked.scheduled, rechecked.not_offered, rechecked.failures) == (4, 1, ())


def the_cli() -> Optional[Path]:
    """The `idv-delete` binary: ``IDV_DELETE_CLI`` (scripts/test sets it, so
    there the check cannot be skipped), else the workspace's debug build if
    present."""
    named = os.environ.get("IDV_DELETE_CLI")
    if named:
        assert Path(named).is_file(), f"IDV_DELETE_CLI={named} is not a file"
        return Path(named)
    built = Path(__file__).resolve().parents[2] / "target" / "debug" / "idv-delete"
    return built if built.is_file() else None


def test_idv_delete_verify_accepts_a_mixed_journal_written_from_python(
    emulator: Emulator, client: idv_delete.Client, tmp_path: Path
) -> None:
    cli = the_cli()
    if cli is None:
        pytest.skip("no idv-delete binary (cargo build -p idv-delete-cli, or set IDV_DELETE_CLI)")
    journal = tmp_path / "mixed.journal"
    report = client.delete_many(one_of_each(emulator), journal=journal)
    assert (report.deleted, report.scheduled) == (4, 4), report
    verified = subprocess.run(
        [str(cli), "verify", str(journal)], capture_output=True, text=True, timeout=60
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    summary = verified.stdout.splitlines()[-2:]
    assert summary[0].startswith("4 deleted") and "4 scheduled" in summary[0], summary
    assert summary[1].startswith("complete"), summary
    for vendor in ("jumio", "jumio-platform", "hyperverge", "onfido", "persona", "stripe", "veriff"):
        assert f"  {vendor}/" in verified.stdout, vendor


def test_single_deletions_rechecks_and_resumed(
    emulator: Emulator, client: idv_delete.Client
) -> None:
    items = one_of_each(emulator)
    outcomes = [client.delete(item) for item in items]
    assert [type(o).__name__ for o in outcomes] == ["Deleted"] * 4 + ["Scheduled"] * 4
    assert client.token_requests == 1
    assert isinstance(client.recheck(items[6]), idv_delete.Scheduled)
    assert client.recheck(items[7]) is None  # Veriff offers no read
    with pytest.raises(idv_delete.NotFoundError):
        client.delete(items[0])
    resumed = client.delete_resumed(items[0])
    assert isinstance(resumed, idv_delete.Deleted) and resumed.confirmed_by == "absence"


def test_delete_ops_driven_over_http_client(emulator: Emulator, client: idv_delete.Client) -> None:
    items = one_of_each(emulator)
    tokens = client.token_state("us")
    emulator.set_faults(seed=7, p503=0.3)
    outcomes = [drive(client.delete_op(item, seed=i), tokens) for i, item in enumerate(items)]
    assert [type(o).__name__ for o in outcomes] == ["Deleted"] * 4 + ["Scheduled"] * 4
    assert tokens.token_requests == 1 and client.token_requests == 0
    for item in items:
        product = "account" if item.vendor == "jumio-platform" else item.product
        stats = emulator.stats().reference(product, item.reference)  # type: ignore[arg-type]
        assert stats is not None and stats.applied == 1
    emulator.set_faults()
    # A 404 first is not found; after an uncertain attempt it confirms.
    with pytest.raises(idv_delete.NotFoundError):
        drive(client.delete_op(items[0], seed=1))
    absent = drive(client.delete_op(items[0], seed=1, in_doubt=True))
    assert isinstance(absent, idv_delete.Deleted) and absent.confirmed_by == "absence"
    # A revoked token: the op's 401 rejects it, a new one is bought, resent.
    account = str(uuid.uuid4())
    emulator.seed("account", [account])
    emulator.revoke_tokens()
    item = idv_delete.Item("jumio-platform", "account", account, region="us")
    op = client.delete_op(item, seed=3)
    assert isinstance(drive(op, tokens), idv_delete.Deleted)
    assert (op.attempts, tokens.token_requests) == (2, 2)


def test_actions_match_and_done_returns_or_raises(client: idv_delete.Client) -> None:
    op = client.delete_op(idv_delete.Item("jumio", "scan", "ref-1", region="eu"), seed=0)
    assert op.ready_to_send and op.attempts == 0 and op.item.region == "eu"
    send = op.poll()
    assert isinstance(send, idv_delete.Send)
    assert send.request.url.endswith("/api/netverify/v2/scans/ref-1")
    assert idv_delete.Send.__match_args__ == ("request",)
    assert idv_delete.Authorize.__match_args__ == ()
    op.handle_response(503, {"Retry-After": "2"}, b"")
    wait = op.poll()
    assert isinstance(wait, idv_delete.Wait) and wait.seconds == 2.0
    op.cancel()
    done = op.poll()
    assert isinstance(done, idv_delete.Done)
    assert isinstance(done.outcome, idv_delete.CancelledError)
    assert done.outcome.in_doubt is False and done.outcome.attempts == 1
    with pytest.raises(idv_delete.CancelledError):
        done.result()
    with pytest.raises(ValueError, match="unknown transport error"):
        op.handle_transport_error("dns", False)  # type: ignore[arg-type]


def test_a_pending_retry_can_be_read_and_refused(client: idv_delete.Client) -> None:
    """A driver with a retry budget reads ``pending_retry`` before the
    ``Wait`` and may end the op with it instead (``stop_retrying``)."""
    op = client.delete_op(idv_delete.Item("hyperverge", "transaction", "HV-1"), seed=0)
    assert op.pending_retry is None and op.last_error is None
    assert isinstance(op.poll(), idv_delete.Send)
    op.handle_response(503, {}, b"")
    pending = op.pending_retry
    assert isinstance(pending, idv_delete.ServerError) and pending.status == 503
    assert isinstance(op.last_error, idv_delete.ServerError)
    op.stop_retrying()
    assert op.pending_retry is None
    done = op.poll()
    assert isinstance(done, idv_delete.Done)
    assert isinstance(done.outcome, idv_delete.ServerError) and done.outcome.attempts == 1
    assert isinstance(op.last_error, idv_delete.ServerError)
    op.stop_retrying()  # once finished: nothing changes
    assert isinstance(op.poll(), idv_delete.Done)


def test_token_state_refusal_reaches_the_op(emulator: Emulator) -> None:
    wrong = idv_delete.Client(
        jumio_platform=idv_delete.JumioPlatformCredentials(JUMIO_CLIENT_ID, "wrong", USER_AGENT),
        base_url=emulator.base_url,
    )
    tokens = wrong.token_state("eu")
    item = ("jumio-platform", "account", "eu", str(uuid.uuid4()))
    with pytest.raises(idv_delete.UnauthorizedError):
        drive(wrong.delete_op(item, seed=1), tokens)
    refused = tokens.poll(0.0)
    assert isinstance(refused, idv_delete.Refused)
    assert isinstance(refused.error, idv_delete.UnauthorizedError)
    assert tokens.token_requests == 1
    # The second op is refused without another token request.
    with pytest.raises(idv_delete.UnauthorizedError):
        drive(wrong.delete_op(item, seed=2), tokens)
    assert tokens.token_requests == 1
    assert emulator.stats().total_requests == 1


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: idv_delete.Item("jumo", "scan", "ref", region="us"), idv_delete.InvalidConfigError),  # type: ignore[arg-type]
        (lambda: idv_delete.Item("jumio", "scan", "ref/../x", region="us"), idv_delete.InvalidReferenceError),
        (lambda: idv_delete.Item("jumio", "scan", "ref"), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Item("stripe", "verification_session", "ref", region="us"), idv_delete.InvalidConfigError),
        (lambda: idv_delete.JumioCredentials("a:b", "secret", USER_AGENT), idv_delete.InvalidConfigError),
        (lambda: idv_delete.StripeCredentials("pk_test_publishable"), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Client(), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Client(stripe=idv_delete.StripeCredentials("sk_test_k"), base_urls={"jumio": "http://127.0.0.1:1"}), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Client(stripe=idv_delete.StripeCredentials("sk_test_k"), base_urls={"jumo": "http://127.0.0.1:1"}), idv_delete.InvalidConfigError),  # type: ignore[dict-item]
        (lambda: idv_delete.Client(stripe=idv_delete.StripeCredentials("sk_test_k"), base_url="http://example.com"), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Client(stripe=idv_delete.StripeCredentials("sk_test_k"), base_delay=30.0), idv_delete.InvalidConfigError),
        (lambda: idv_delete.Client(jumio=idv_delete.StripeCredentials("sk_test_k")), TypeError),  # type: ignore[arg-type]
    ],
)
def test_bad_values_are_refused_when_made(make: Any, error: type) -> None:
    with pytest.raises(error):
        make()


def test_items_of_a_vendor_without_credentials_send_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    only_stripe = idv_delete.Client(
        stripe=idv_delete.StripeCredentials(STRIPE_SECRET_KEY), base_url=emulator.base_url
    )
    jumio_item = idv_delete.Item("jumio", "scan", "ref-1", region="us")
    stripe_item = idv_delete.Item("stripe", "verification_session", "vs_1")
    calls = [
        lambda: only_stripe.delete(jumio_item),
        lambda: only_stripe.delete_resumed(jumio_item),
        lambda: only_stripe.recheck(jumio_item),
        lambda: only_stripe.delete_op(jumio_item, seed=0),
        lambda: only_stripe.token_state("us"),
        lambda: only_stripe.delete_many([stripe_item, jumio_item], journal=tmp_path / "j"),
    ]
    for call in calls:
        with pytest.raises(idv_delete.InvalidConfigError, match="no Jumio"):
            call()
    bad_inputs: List[List[Any]] = [["not an item"], [("jumio", "scan", "us")], [("jumo", "scan", "us", "r")]]
    for bad in bad_inputs:
        with pytest.raises((TypeError, idv_delete.InvalidConfigError)):
            only_stripe.delete_many(bad)
    with pytest.raises(TypeError, match="not one item"):
        only_stripe.delete_many(stripe_item)  # type: ignore[arg-type]
    assert emulator.stats().total_requests == 0
    assert not (tmp_path / "j").exists()


def test_a_lazy_input_ends_at_an_item_without_credentials(emulator: Emulator) -> None:
    only_stripe = idv_delete.Client(
        stripe=idv_delete.StripeCredentials(STRIPE_SECRET_KEY), base_url=emulator.base_url
    )
    emulator.seed("verification_session", ["vs_first"])
    items = iter([
        ("stripe", "verification_session", None, "vs_first"),
        ("jumio", "scan", "us", "ref-1"),
        ("stripe", "verification_session", None, "vs_never"),
    ])
    with pytest.raises(idv_delete.InvalidConfigError, match="no Jumio"):
        only_stripe.delete_many(items)
    stats = emulator.stats().reference("verification_session", "vs_first")
    assert stats is not None and stats.applied == 1
    assert emulator.stats().total_requests == 1


def test_reprs_show_no_secret(emulator: Emulator) -> None:
    secrets = [
        JUMIO_TOKEN, JUMIO_SECRET, JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, HYPERVERGE_APP_ID,
        HYPERVERGE_APP_KEY, ONFIDO_API_TOKEN, PERSONA_API_KEY, STRIPE_SECRET_KEY,
        VERIFF_API_KEY, VERIFF_SHARED_SECRET,
    ]
    credentials = every_credential()
    client = idv_delete.Client(**credentials, base_url=emulator.base_url)
    tokens = client.token_state("us")
    shown = [repr(c) for c in credentials.values()] + [repr(client), repr(tokens)]
    assert repr(credentials["jumio"]) == (
        "JumioCredentials(api_token=[redacted], api_secret=[redacted], user_agent='Acme KYC-Cleaner/1.0')"
    )
    token_send = tokens.poll(0.0)
    assert isinstance(token_send, idv_delete.Send)
    shown.append(repr(token_send))
    account = str(uuid.uuid4())
    op = client.delete_op(("jumio-platform", "account", "us", account), seed=0)
    assert isinstance(op.poll(), idv_delete.Authorize)
    from sync_driver import send
    status, headers, body = send(token_send.request)
    assert tokens.handle_response(0.0, status, headers, body) is None
    use = tokens.poll(0.0)
    assert isinstance(use, idv_delete.Use)
    shown += [repr(use), repr(use.token), repr(op)]
    op.authorize(use.token)
    delete = op.poll()
    assert isinstance(delete, idv_delete.Send)
    bearer = dict(delete.request.headers)["authorization"]
    assert bearer.startswith("Bearer ")
    shown.append(repr(delete))
    for text in shown:
        assert "[redacted]" in text or text.startswith(("Client(", "TokenState(", "DeleteOp(")), text
        for secret in [*secrets, bearer[len("Bearer "):]]:
            assert secret not in text, (secret, text)


def test_per_vendor_classes_resume_adapt_and_cancel(
    emulator: Emulator, jumio: idv_delete.Jumio, hyperverge: idv_delete.HyperVerge
) -> None:
    resumed = jumio.delete_resumed("never-there", product="document")
    assert isinstance(resumed, idv_delete.Deleted) and resumed.confirmed_by == "absence"
    absent = hyperverge.delete_resumed("HV-never")
    assert isinstance(absent, idv_delete.Deleted) and absent.confirmed_by == "absence"
    references = refs(6)
    emulator.seed("scan", references)
    report = jumio.delete_many(references, adaptive_rate=True, rate=50.0)
    assert report.deleted == 6
    stop = threading.Event()
    stop.set()
    cancelled = jumio.delete_many(refs(3), cancel=stop)
    assert cancelled.cancelled and cancelled.deleted == 0
    with pytest.raises(TypeError, match="threading.Event"):
        jumio.delete_many(refs(1), cancel="yes")  # type: ignore[arg-type]


def test_report_fields_of_a_resume_elsewhere_and_check(emulator: Emulator, tmp_path: Path) -> None:
    """The report fields and options that bindings/parity.json maps for
    Python: a journaled batch refused by the vendor (401: not in doubt) with
    a repeated item; its resume at another emulator, refused until
    ``allow_endpoint_change=True``, which runs the failures again; a
    shorter input's journal note; ``check`` sending nothing."""
    scans = refs(3, "scan")
    items = [idv_delete.Item("jumio", "scan", ref, region="us") for ref in scans]
    journal = tmp_path / "elsewhere.journal"
    refused = idv_delete.Client(
        jumio=idv_delete.JumioCredentials("wrong-token", "wrong-secret", USER_AGENT),
        base_url=emulator.base_url,
        max_attempts=1,
    )
    first = refused.delete_many([*items, items[0]], journal=journal)
    assert first.failed == {"unauthorized": 3}, first
    assert (first.in_doubt, first.duplicates, first.run, first.retried_failures) == (0, 1, 1, 0)
    assert (first.dry_run, first.journal_notes, first.done) == (False, (), 3)

    with Emulator() as elsewhere:
        elsewhere.seed("scan", scans)
        client = idv_delete.Client(**every_credential(), base_url=elsewhere.base_url)
        with pytest.raises(idv_delete.JournalError, match="endpoint"):
            client.delete_many([*items, items[0]], journal=journal)
        assert elsewhere.stats().total_requests == 0
        again = client.delete_many([*items, items[0]], journal=journal, allow_endpoint_change=True)
        assert (again.retried_failures, again.resumed_in_doubt, again.deleted) == (3, 0, 3), again
        assert (again.run, again.skipped, again.duplicates) == (2, 1, 0)
        copy = pickle.loads(pickle.dumps(again))
        assert copy == again and (copy.retried_failures, copy.run) == (3, 2)

        shorter = client.delete_many(items[:2], journal=journal, allow_endpoint_change=True)
        assert (shorter.skipped, shorter.attempts, shorter.run) == (2, 0, 3)
        assert len(shorter.journal_notes) == 1 and "shortened" in shorter.journal_notes[0]

        dry = client.delete_many(items, dry_run=True)
        assert (dry.dry_run, dry.run, dry.would_delete, dry.deleted) == (True, 0, 3, 0)

        sent = elsewhere.stats().total_requests
        client.check(items[0])  # returns None: nothing to say
        only_stripe = idv_delete.Client(stripe=idv_delete.StripeCredentials(STRIPE_SECRET_KEY))
        with pytest.raises(idv_delete.InvalidConfigError, match="no Jumio"):
            only_stripe.check(items[0])
        with pytest.raises(TypeError):
            client.check("not an item")  # type: ignore[arg-type]
        assert elsewhere.stats().total_requests == sent
