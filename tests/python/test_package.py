"""The package as a whole: version, docstrings, and that no secret ever
shows in a repr, a str or an exception."""

from __future__ import annotations

import builtins
import importlib.metadata
import inspect
import re
import typing
from pathlib import Path

import pytest

import idv_delete
import idv_delete.aio
import idv_delete.testing
from idv_delete.testing import Emulator

from conftest import USER_AGENT, closed_url, refs

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_workspace_version() -> None:
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = cargo.split("[workspace.package]", 1)[1]
    match = re.search(r'^version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    assert match
    assert idv_delete.__version__ == match.group(1)
    assert importlib.metadata.version("idv-delete") == match.group(1)


def _public(module: object) -> list[tuple[str, object]]:
    """The public names of `module` but `__version__` and the `Literal`
    aliases (a type alias has no docstring: `_types.py` documents them)."""
    return [
        (name, getattr(module, name))
        for name in module.__all__  # type: ignore[attr-defined]
        if name != "__version__" and typing.get_origin(getattr(module, name)) is not typing.Literal
    ]


@pytest.mark.parametrize("module", [idv_delete, idv_delete.testing, idv_delete.aio])
def test_import_star_shadows_no_builtin(module: object) -> None:
    exported = set(module.__all__)  # type: ignore[attr-defined]
    assert exported & set(dir(builtins)) == set()
    assert all(hasattr(module, name) for name in exported)
    namespace: dict[str, object] = {}
    exec(f"from {module.__name__} import *\nafter = TimeoutError", namespace)  # type: ignore[attr-defined]
    assert namespace["after"] is builtins.TimeoutError


def test_the_timeout_error_keeps_its_old_name() -> None:
    from idv_delete import TimeoutError as OldName  # explicit imports still work

    assert OldName is idv_delete.RequestTimeoutError
    assert "TimeoutError" not in idv_delete.__all__
    assert issubclass(OldName, idv_delete.Error) and issubclass(OldName, builtins.TimeoutError)
    assert OldName.kind == "timeout"


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for module in (idv_delete, idv_delete.testing, idv_delete.aio):
        assert inspect.getdoc(module)
        for name, value in _public(module):
            if not (inspect.isclass(value) or callable(value)):
                continue
            if not inspect.getdoc(value):
                missing.append(name)
            if inspect.isclass(value):
                for attr, member in vars(value).items():
                    if attr.startswith("_") or attr == "kind":
                        continue
                    if not inspect.getdoc(member):
                        missing.append(f"{name}.{attr}")
    assert missing == []


CANARY_TOKEN = "CanaryTok3n-7f1c2e"
CANARY_SECRET = "CanarySecr3t-9b4d0a"
CANARY_ID = "CanaryAppId-5e6f7a"
CANARY_KEY = "CanaryAppK3y-1a2b3c"
CANARIES = (CANARY_TOKEN, CANARY_SECRET, CANARY_ID, CANARY_KEY)


def _assert_clean(*objects: object) -> None:
    for obj in objects:
        for text in (repr(obj), str(obj)):
            for canary in CANARIES:
                assert canary not in text, text


def test_secrets_never_show() -> None:
    """Distinctive credentials through every object and error we make."""
    with Emulator(
        jumio_token=CANARY_TOKEN, jumio_secret=CANARY_SECRET,
        hyperverge_app_id=CANARY_ID, hyperverge_app_key=CANARY_KEY,
    ) as emulator:
        items = refs(2)
        emulator.seed("scan", items)
        jumio = idv_delete.Jumio(
            CANARY_TOKEN, CANARY_SECRET, user_agent=USER_AGENT,
            base_url=emulator.base_url, max_attempts=1,
        )
        hyperverge = idv_delete.HyperVerge(
            CANARY_ID, CANARY_KEY, base_url=emulator.base_url, max_attempts=1
        )
        objects: list[object] = [
            jumio, hyperverge, emulator, jumio.build_request(items[0]),
            hyperverge.build_request("t"), jumio.delete_scan(items[0]),
        ]
        errors: list[BaseException] = []
        for call in (
            lambda: jumio.delete_scan(items[0]),  # not found
            lambda: jumio.delete_scan("bad#ref"),
            lambda: idv_delete.Jumio(CANARY_TOKEN, CANARY_SECRET, user_agent="x\n"),
            lambda: idv_delete.Jumio(CANARY_TOKEN + ":", CANARY_SECRET, user_agent="A"),
            lambda: idv_delete.HyperVerge(CANARY_ID, CANARY_KEY + " "),
            lambda: idv_delete.Jumio(
                CANARY_TOKEN, CANARY_SECRET, user_agent="A",
                base_url=closed_url(), max_attempts=1,
            ).delete_scan("r"),
            lambda: idv_delete.Jumio(
                "wrong", CANARY_SECRET, user_agent="A", base_url=emulator.base_url
            ).delete_scan("r"),
        ):
            with pytest.raises(idv_delete.Error) as caught:
                call()
            errors.append(caught.value)
        emulator.set_faults(p500=1.0)
        report = jumio.delete_many(items)
        objects += [report, *report.failures, *(f.error for f in report.failures)]
        _assert_clean(*objects, *errors)
        for error in errors:
            assert all(c not in repr(vars(error)) for c in CANARIES)
