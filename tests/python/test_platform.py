"""The Jumio Platform client: accounts and workflow executions deleted
against the emulator, one access token shared by a whole batch, and bad
client credentials refused with a message that names the setting and
never the secret."""

from __future__ import annotations

import threading
import typing
from pathlib import Path

import pytest

import idv_delete
from idv_delete.testing import JUMIO_CLIENT_ID, JUMIO_CLIENT_SECRET, Emulator

from conftest import USER_AGENT, uuids


def test_delete_account_then_not_found(
    emulator: Emulator, platform: idv_delete.JumioPlatform
) -> None:
    [account] = uuids(1)
    emulator.seed("account", [account])

    deleted = platform.delete_account(account)

    assert isinstance(deleted, idv_delete.Deleted)
    assert (deleted.confirmed_by, deleted.attempts, deleted.audits) == ("response", 1, ())
    counts = emulator.stats().reference("account", account)
    assert counts is not None and (counts.applied, counts.not_found) == (1, 0)
    with pytest.raises(idv_delete.NotFoundError) as caught:
        platform.delete_account(account)
    assert caught.value.status == 404
    assert platform.token_requests == 1
    vendors = {route.split("/")[0] for route in emulator.stats().requests}
    assert vendors == {"jumio-platform"} and vendors <= set(typing.get_args(idv_delete.Vendor))


def test_delete_workflow_leaves_the_account(
    emulator: Emulator, platform: idv_delete.JumioPlatform
) -> None:
    account, first, second = uuids(3)
    emulator.seed("workflow", [f"{account}/{first}", f"{account}/{second}"])

    platform.delete_workflow(account, first)

    stats = emulator.stats()
    counts = stats.reference("workflow", f"{account}/{first}")
    assert counts is not None and (counts.applied, counts.not_found) == (1, 0)
    assert stats.reference("workflow", f"{account}/{second}") is None
    with pytest.raises(idv_delete.NotFoundError):
        platform.delete_workflow(account, first)
    # The account and its other workflow execution are still there.
    platform.delete_account(account)
    with pytest.raises(idv_delete.NotFoundError):
        platform.delete_workflow(account, second)


def test_a_batch_buys_one_token(emulator: Emulator, platform: idv_delete.JumioPlatform) -> None:
    accounts = uuids(30)
    emulator.seed("account", accounts)

    report = platform.delete_many(accounts, concurrency=8)

    assert (report.deleted, report.failed_total, report.attempts) == (30, 0, 30)
    assert report.token_requests == 1
    stats = emulator.stats()
    assert (stats.token_requests, stats.tokens_issued) == (1, 1)
    # A second batch reuses the client's token.
    again = platform.delete_many(accounts)
    assert (again.not_found, again.token_requests) == (30, 0)
    assert emulator.stats().token_requests == 1
    assert platform.token_requests == 1


def test_threads_share_one_token(emulator: Emulator, platform: idv_delete.JumioPlatform) -> None:
    accounts = uuids(16)
    emulator.seed("account", accounts)
    errors: list[BaseException] = []

    def delete(account: str) -> None:
        try:
            platform.delete_account(account)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=delete, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert emulator.stats().tokens_issued == 1


def test_a_workflow_batch_takes_account_slash_workflow(
    emulator: Emulator, platform: idv_delete.JumioPlatform, tmp_path: Path
) -> None:
    account = uuids(1)[0]
    references = [f"{account}/{w}" for w in uuids(5)]
    emulator.seed("workflow", references)
    journal = tmp_path / "workflows.journal"

    report = platform.delete_many(references, product="workflow", journal=journal)

    assert (report.deleted, report.token_requests) == (5, 1)
    assert all(
        (c := emulator.stats().reference("workflow", r)) is not None and c.applied == 1
        for r in references
    )
    resumed = platform.delete_many(references, product="workflow", journal=journal)
    assert (resumed.skipped, resumed.attempts) == (5, 0)
    assert "jumio-platform" in journal.read_text(encoding="utf-8")


def test_a_revoked_token_is_replaced(
    emulator: Emulator, platform: idv_delete.JumioPlatform
) -> None:
    first, second = uuids(2)
    emulator.seed("account", [first, second])
    platform.delete_account(first)
    assert emulator.revoke_tokens() == 1

    deleted = platform.delete_account(second)

    assert isinstance(deleted, idv_delete.Deleted)
    assert deleted.confirmed_by == "response"
    assert platform.token_requests == 2
    assert emulator.stats().tokens_issued == 2


def test_bad_client_credentials_are_unauthorized(emulator: Emulator) -> None:
    secret = "wrong-secret-3c9e51"
    platform = idv_delete.JumioPlatform(
        JUMIO_CLIENT_ID, secret, user_agent=USER_AGENT, base_url=emulator.base_url
    )
    [account] = uuids(1)
    emulator.seed("account", [account])

    with pytest.raises(idv_delete.UnauthorizedError) as caught:
        platform.delete_account(account)

    error = caught.value
    assert "client id" in str(error) and "JUMIO_CLIENT_ID" in str(error)
    assert error.status == 401
    for text in (str(error), repr(error), repr(vars(error))):
        assert secret not in text and JUMIO_CLIENT_SECRET not in text
    stats = emulator.stats()
    assert (stats.token_refused, stats.total_requests) == (1, 1), "no delete was sent"
    report = platform.delete_many([account])
    assert report.failed == {"unauthorized": 1}
    assert emulator.stats().deletes_applied == 0


def test_repr_names_no_secret() -> None:
    platform = idv_delete.JumioPlatform(
        "client-4e1f", "secret-8d2a", user_agent=USER_AGENT, region="eu"
    )
    assert repr(platform) == (
        "JumioPlatform(region='eu', user_agent='Acme KYC-Cleaner/1.0', base_url=None)"
    )
    assert platform.token_requests == 0


def test_settings_are_checked_like_jumios() -> None:
    with pytest.raises(idv_delete.InvalidConfigError, match="region"):
        idv_delete.JumioPlatform("id", "secret", user_agent=USER_AGENT, region="mars")  # type: ignore[arg-type]
    with pytest.raises(idv_delete.InvalidConfigError, match="':'"):
        idv_delete.JumioPlatform("id:x", "secret", user_agent=USER_AGENT)
    with pytest.raises(idv_delete.InvalidConfigError, match="User-Agent"):
        idv_delete.JumioPlatform("id", "secret", user_agent="")
    platform = idv_delete.JumioPlatform("id", "secret", user_agent=USER_AGENT)
    with pytest.raises(idv_delete.InvalidConfigError, match="account or workflow"):
        platform.delete_many([], product="scan")  # type: ignore[arg-type]


def test_emulator_token_options() -> None:
    with Emulator(jumio_client_id="my-id", jumio_client_secret="my-secret",
                  token_lifetime=1.0, token_rate_limit=None) as emulator:
        platform = idv_delete.JumioPlatform(
            "my-id", "my-secret", user_agent=USER_AGENT, base_url=emulator.base_url
        )
        [account] = uuids(1)
        emulator.seed("account", [account])
        platform.delete_account(account)
        assert emulator.stats().tokens_issued == 1
    with pytest.raises(ValueError, match="token_lifetime"):
        Emulator(token_lifetime=0.5)
