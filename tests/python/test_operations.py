"""The operation vectors (tests/vectors/operations.json) through Python.

Every scenario is run with ``Client.delete_op`` and, for the Jumio
Platform, one ``Client.token_state`` for the item's region, step by step
as the file's ``_comment`` describes (the Rust runner is
crates/core/tests/operations.rs). The runner is strict: an unknown step or
key fails the scenario, a scenario without a ``done`` step fails, and the
count of scenarios run must equal the file's.

One difference from Rust: a token's value never reaches Python, so a
``{"token": "use", "value": V}`` step is checked on the request the op
sends next, which must carry ``Authorization: Bearer V``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import idv_delete

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "operations.json"
#: The issue asks for at least 25 scenarios; fewer means the file was cut.
AT_LEAST = 25

#: The credentials classes by vendor name, with the Client keyword.
CREDENTIALS: Dict[str, Any] = {
    "jumio": ("jumio", idv_delete.JumioCredentials),
    "jumio-platform": ("jumio_platform", idv_delete.JumioPlatformCredentials),
    "hyperverge": ("hyperverge", idv_delete.HyperVergeCredentials),
    "onfido": ("onfido", idv_delete.OnfidoCredentials),
    "persona": ("persona", idv_delete.PersonaCredentials),
    "stripe": ("stripe", idv_delete.StripeCredentials),
    "veriff": ("veriff", idv_delete.VeriffCredentials),
}


def load() -> Dict[str, Any]:
    with VECTORS.open(encoding="utf-8") as file:
        vectors: Dict[str, Any] = json.load(file)
    return vectors


def only(obj: Dict[str, Any], *allowed: str) -> None:
    unknown = sorted(set(obj) - set(allowed))
    assert not unknown, f"unknown keys {unknown} (allowed here: {allowed})"


class Run:
    """One scenario's op, token state and clock (``now`` in ms, from 0)."""

    def __init__(self, credentials: Dict[str, Any], scenario: Dict[str, Any]) -> None:
        only(
            scenario,
            "name", "about", "item", "base_url", "policy", "jitter_seed", "in_doubt", "steps",
        )
        for required in ("about", "item", "base_url", "policy", "jitter_seed", "in_doubt", "steps"):
            assert required in scenario, f"no {required!r}"
        item = scenario["item"]
        only(item, "vendor", "product", "region", "reference")
        policy = scenario["policy"]
        only(policy, "max_attempts", "base_delay_ms", "max_delay_ms", "max_retry_after_ms")
        keyword, cls = CREDENTIALS[item["vendor"]]
        client = idv_delete.Client(
            **{keyword: cls(**credentials[item["vendor"]])},
            base_url=scenario["base_url"],
            max_attempts=policy["max_attempts"],
            base_delay=policy["base_delay_ms"] / 1000,
            max_delay=policy["max_delay_ms"] / 1000,
            max_retry_after=policy["max_retry_after_ms"] / 1000,
        )
        target = idv_delete.Item(
            item["vendor"], item["product"], item["reference"], region=item["region"]
        )
        self.op = client.delete_op(
            target, seed=scenario["jitter_seed"], in_doubt=scenario["in_doubt"]
        )
        self.tokens: Optional[idv_delete.TokenState] = (
            client.token_state(item["region"]) if item["vendor"] == "jumio-platform" else None
        )
        self.now = 0.0
        #: A token value the next request must carry (see the module doc).
        self.bearer: Optional[str] = None

    def token_state(self) -> idv_delete.TokenState:
        assert self.tokens is not None, "a token step for an item that uses no token"
        return self.tokens

    def poll(self) -> object:
        action = self.op.poll()
        if self.bearer is not None:
            assert isinstance(action, idv_delete.Send), f"expected Send after a token, got {action!r}"
            got = dict(action.request.headers).get("authorization")
            assert got == f"Bearer {self.bearer}", "the token used is not the expected one"
            self.bearer = None
        return action

    def step(self, step: Dict[str, Any]) -> None:
        if "expect" in step:
            {
                "send": self.expect_send,
                "wait": self.expect_wait,
                "authorize": self.expect_authorize,
                "done": self.expect_done,
            }[step["expect"]](step)
        elif "respond" in step:
            only(step, "respond")
            self.op.handle_response(*answer(step["respond"]))
            rejected = self.op.take_rejected_token()
            if rejected is not None:
                self.token_state().reject(rejected)
        elif "transport_error" in step:
            only(step, "transport_error", "sent")
            self.op.handle_transport_error(step["transport_error"], step["sent"])
        elif "advance_ms" in step:
            only(step, "advance_ms")
            self.now += step["advance_ms"]
        elif "token_respond" in step:
            only(step, "token_respond")
            error = self.token_state().handle_response(self.now / 1000, *answer(step["token_respond"]))
            if error is not None:
                self.op.token_failed(error)
        elif "token_transport_error" in step:
            only(step, "token_transport_error", "sent")
            assert isinstance(step["sent"], bool)
            self.op.token_failed(self.token_state().handle_transport_error(step["token_transport_error"]))
        elif "token" in step:
            self.token_step(step)
        else:
            raise AssertionError(f"unknown step {step}")

    def expect_send(self, step: Dict[str, Any]) -> None:
        only(step, "expect", "method", "url", "headers")
        action = self.poll()
        assert isinstance(action, idv_delete.Send), f"expected Send, got {action!r}"
        request = action.request
        if "method" in step:
            assert request.method == step["method"]
        if "url" in step:
            assert request.url == step["url"]
        headers = dict(request.headers)
        for name, want in step.get("headers", {}).items():
            assert headers.get(name) == want, f"header {name}"

    def expect_wait(self, step: Dict[str, Any]) -> None:
        if "ms" in step:
            only(step, "expect", "ms")
            least = most = step["ms"]
        else:
            only(step, "expect", "min_ms", "max_ms")
            least, most = step["min_ms"], step["max_ms"]
        action = self.poll()
        assert isinstance(action, idv_delete.Wait), f"expected Wait, got {action!r}"
        ms = action.seconds * 1000
        # Float seconds from the core's Duration: a nanosecond of slack.
        assert least - 1e-6 <= ms <= most + 1e-6, f"waits {ms} ms, not within {least}..={most}"
        self.now += ms

    def expect_authorize(self, step: Dict[str, Any]) -> None:
        only(step, "expect")
        action = self.poll()
        assert isinstance(action, idv_delete.Authorize), f"expected Authorize, got {action!r}"

    def token_step(self, step: Dict[str, Any]) -> None:
        action = self.token_state().poll(self.now / 1000)
        if step["token"] == "send":
            only(step, "token", "url")
            assert isinstance(action, idv_delete.Send), f"expected the token state to Send, got {action!r}"
            if "url" in step:
                assert action.request.url == step["url"]
        elif step["token"] == "use":
            only(step, "token", "value")
            assert isinstance(action, idv_delete.Use), f"expected Use, got {action!r}"
            self.op.authorize(action.token)
            self.bearer = step.get("value")
        elif step["token"] == "refused":
            only(step, "token", "kind")
            assert isinstance(action, idv_delete.Refused), f"expected Refused, got {action!r}"
            assert action.error.kind == step["kind"]
            self.op.token_failed(action.error)
        else:
            raise AssertionError(f"unknown token step {step['token']!r}")

    def expect_done(self, step: Dict[str, Any]) -> None:
        action = self.poll()
        assert isinstance(action, idv_delete.Done), f"expected Done, got {action!r}"
        outcome = action.outcome
        if "attempts" in step:
            assert outcome.attempts == step["attempts"], f"attempts is {outcome.attempts}"
        want = step["outcome"]
        if want == "deleted":
            only(step, "expect", "outcome", "attempts", "confirmed_by")
            assert isinstance(outcome, idv_delete.Deleted), f"expected deleted, got {outcome!r}"
            if "confirmed_by" in step:
                assert outcome.confirmed_by == step["confirmed_by"]
            assert action.result() is outcome
        elif want == "scheduled":
            only(step, "expect", "outcome", "attempts", "within_secs", "until")
            assert isinstance(outcome, idv_delete.Scheduled), f"expected scheduled, got {outcome!r}"
            if "within_secs" in step:
                within = None if outcome.within is None else int(outcome.within)
                assert within == step["within_secs"]
            if "until" in step:
                assert outcome.until == step["until"]
        elif want == "error":
            only(step, "expect", "outcome", "attempts", "kind", "in_doubt", "status", "retry_after_ms")
            assert isinstance(outcome, idv_delete.Error), f"expected an error, got {outcome!r}"
            if "kind" in step:
                assert outcome.kind == step["kind"]
            if "in_doubt" in step:
                assert outcome.in_doubt == step["in_doubt"]
            if "status" in step:
                assert outcome.status == step["status"]
            if "retry_after_ms" in step:
                got = None if outcome.retry_after is None else round(outcome.retry_after * 1000)
                assert got == step["retry_after_ms"]
            with pytest.raises(type(outcome)):
                action.result()
        else:
            raise AssertionError(f"unknown outcome {want!r}")


def answer(given: Dict[str, Any]) -> tuple[int, Dict[str, str], bytes]:
    only(given, "status", "headers", "body")
    return given["status"], given["headers"], given["body"].encode()


def run(credentials: Dict[str, Any], scenario: Dict[str, Any]) -> None:
    runner = Run(credentials, scenario)
    steps: List[Dict[str, Any]] = scenario["steps"]
    assert any(step.get("expect") == "done" for step in steps), "no step expects the op to be done"
    for index, step in enumerate(steps):
        try:
            runner.step(step)
        except AssertionError as failure:
            raise AssertionError(f"step {index} {step}: {failure}") from failure
    assert runner.bearer is None, "a token value was never sent"


def test_every_operation_scenario_runs_as_written() -> None:
    vectors = load()
    only(vectors, "_comment", "credentials", "scenarios")
    scenarios: List[Dict[str, Any]] = vectors["scenarios"]
    names = [scenario["name"] for scenario in scenarios]
    assert len(set(names)) == len(names), "two scenarios share a name"
    failures = []
    ran = 0
    for scenario in scenarios:
        try:
            run(vectors["credentials"], scenario)
            ran += 1
        except (AssertionError, idv_delete.Error, KeyError, TypeError) as failure:
            failures.append(f"scenario {scenario['name']}: {failure!r}")
    assert not failures, "\n".join(failures)
    assert ran == len(scenarios) >= AT_LEAST


def test_the_runner_fails_on_an_unknown_step() -> None:
    vectors = load()
    scenario = json.loads(json.dumps(vectors["scenarios"][0]))
    scenario["steps"].insert(0, {"expect": "send", "colour": "blue"})
    with pytest.raises(AssertionError, match="unknown keys"):
        run(vectors["credentials"], scenario)
    scenario["steps"][0] = {"sleep_ms": 5}
    with pytest.raises(AssertionError, match="unknown step"):
        run(vectors["credentials"], scenario)


def test_the_runner_fails_on_a_wrong_expectation() -> None:
    vectors = load()
    scenario = json.loads(json.dumps(vectors["scenarios"][0]))
    done = next(step for step in scenario["steps"] if step.get("expect") == "done")
    done["attempts"] = 99
    with pytest.raises(AssertionError, match="attempts"):
        run(vectors["credentials"], scenario)
