"""Shared helpers of the proof suite: the generated bindings, scripted models, event collection, and a
checker that holds event JSON against the Swift Codable model (scripts/gen_types.py)."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import unittest
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
REPO = PACKAGE.parent.parent
sys.path.insert(0, str(PACKAGE / "scripts"))

import gen_types  # noqa: E402

# The uniffi Python module generated from the same library as the Swift sources (scripts/test.sh puts it,
# with the library beside it, in a temporary directory named by this variable).
sys.path.insert(0, os.environ["CODEX_SWIFT_PROOF_BINDINGS"])
sdk = importlib.import_module("codex_sdk_swift")

SCHEMA = json.loads((REPO / "schema" / "protocol.schema.json").read_text())
MODEL = gen_types.build_model(SCHEMA)

TERMINAL = {"task_complete", "turn_aborted", "error"}


def text(t: str):
    return sdk.ScriptedItem.MESSAGE(text=t)


def call(name: str, arguments: dict | str):
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return sdk.ScriptedItem.FUNCTION_CALL(name=name, arguments=args)


def response(*items):
    return sdk.ScriptedResponse(items=list(items))


def scripted(*responses, event_delay_ms=None):
    return sdk.ScriptedModel(responses=list(responses), event_delay_ms=event_delay_ms)


def options(**kwargs):
    """The core's CodexOptions (JSON), without built-in tools unless asked (tests see only their own
    tools) and recording nothing unless a codex_home is given."""
    kwargs.setdefault("builtin_tools", False)
    if "codex_home" not in kwargs:
        kwargs.setdefault("ephemeral", True)
    return json.dumps(kwargs)


def result(turn_result: str):
    """A `TurnResult` (JSON) as a namespace: `.final_message`, `.items`, `.usage`."""
    import types

    return types.SimpleNamespace(**json.loads(turn_result))


def decode(event_json: str) -> dict:
    """An event as JSON, checked against the Swift model first (what Swift's decoder would require)."""
    value = json.loads(event_json)
    problems = check(value, gen_types.TypeRef("ref", "Event"))
    if problems:
        raise AssertionError(f"event does not fit the Swift Codable model: {problems}\n{event_json}")
    return value


def msg_types(events: list[dict]) -> list[str]:
    return [e["msg"]["type"] for e in events]


class ProofCase(unittest.IsolatedAsyncioTestCase):
    """Base case: uniffi runs the host's async callbacks on this test's event loop."""

    async def asyncSetUp(self):
        loop = asyncio.get_running_loop()
        # uniffi 0.32's Python glue cancels a finished foreign task with `loop.call_soon` from a Rust thread
        # (`_uniffi_future_dropped_callback`); asyncio's debug mode, on in unittest, rejects that. Swift's
        # glue (`Task.cancel()`) is thread-safe, so this is a quirk of the proxy, not of the binding.
        loop.set_debug(False)
        sdk.uniffi_set_event_loop(loop)

    async def drain(self, stream) -> list[dict]:
        events = []
        while (event := await asyncio.wait_for(stream.next(), 10)) is not None:
            events.append(decode(event))
        return events


class Listener(sdk.EventListener):
    """Collects a subscription's events; `ended` resolves with the end's error (None for a clean end)."""

    def __init__(self, fail_on: str | None = None):
        self.events: list[dict] = []
        self.ended: asyncio.Future = asyncio.get_running_loop().create_future()
        self.fail_on = fail_on

    async def on_event(self, event):
        value = decode(event)
        self.events.append(value)
        if value["msg"]["type"] == self.fail_on:
            raise sdk.CodexError.Internal(message=f"listener refused {self.fail_on}")

    async def on_end(self, error):
        if not self.ended.done():
            self.ended.set_result(error)


# ------------------------------------------------------------------------------------- the Swift model check

def check(value, type_ref: "gen_types.TypeRef", path: str = "$") -> list[str]:
    """Problems Swift's generated decoder would have with `value` (empty when it decodes)."""
    kind = type_ref.kind
    if kind == "json":
        return []
    if kind == "string":
        return [] if isinstance(value, str) else [f"{path}: expected a string"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a bool"]
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and type_ref.name.startswith("U") and value < 0:
            ok = False
        return [] if ok else [f"{path}: expected {type_ref.name}"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        return [p for i, v in enumerate(value) for p in check(v, type_ref.item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        return [p for k, v in value.items() for p in check(v, type_ref.item, f"{path}.{k}")]
    return check_named(value, MODEL[type_ref.name], path)


def check_fields(value: dict, fields, path: str) -> list[str]:
    problems = []
    for f in fields:
        present = f.json_name in value and value[f.json_name] is not None
        if not present:
            if not f.optional and f.default is None:
                problems.append(f"{path}.{f.json_name}: required by Swift, missing")
            continue
        problems += check(value[f.json_name], f.type, f"{path}.{f.json_name}")
    return problems


def check_named(value, definition, path: str) -> list[str]:
    if isinstance(definition, gen_types.Alias):
        return check(value, definition.target, path)
    if isinstance(definition, gen_types.StringEnum):
        raws = {raw for _, raw, _ in definition.cases}
        return [] if value in raws else [f"{path}: {value!r} is no case of {definition.name}"]
    if not isinstance(value, dict):
        return [f"{path}: expected an object for {definition.name}"]
    if isinstance(definition, gen_types.Struct):
        return check_fields(value, definition.fields, path)
    tag = value.get(definition.tag_key)
    variant = next((v for v in definition.variants if v.tag == tag), None)
    if variant is None:
        return [f"{path}: {tag!r} is no case of {definition.name}"]
    if variant.ref:
        return check_named(value, MODEL[variant.ref], path)
    return check_fields(value, variant.fields, path)
