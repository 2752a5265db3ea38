"""Shared helpers: a Codex over the scripted model, and one over the loopback mock server."""

from __future__ import annotations

from typing import Any, Tuple

import pytest

from codex_sdk import Codex, ScriptedModel, ScriptedResponse
from codex_sdk.testing import MockServer


def scripted(*responses: ScriptedResponse, **settings: Any) -> Tuple[Codex, ScriptedModel]:
    """A `Codex` over a scripted model playing `responses`, with a fixed cwd and instructions."""
    model = ScriptedModel(responses, event_delay=settings.pop("event_delay", None))
    settings.setdefault("cwd", "/tmp")
    settings.setdefault("instructions", "test instructions")
    if "codex_home" not in settings:
        settings.setdefault("ephemeral", True)
    return Codex(model_client=model, **settings), model


@pytest.fixture
def server() -> MockServer:
    """A fresh loopback mock model server."""
    return MockServer()


def over_http(server: MockServer, **settings: Any) -> Codex:
    """A `Codex` talking to the mock server over HTTP (Responses API), without retries."""
    provider = {
        "name": "mock",
        "base_url": server.base_url,
        "wire_api": "responses",
        "request_max_retries": 0,
        "stream_max_retries": 0,
    }
    settings.setdefault("cwd", "/tmp")
    settings.setdefault("ephemeral", True)
    return Codex(provider=provider, api_key="test-key", **settings)


def mcp_test_server() -> str:
    """The core's rmcp test server (`codex-sdk/examples/mcp_test_server.rs`), built with cargo if needed (into
    CARGO_TARGET_DIR, as the core's own tests build it)."""
    import json as _json
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        ["cargo", "build", "--quiet", "-p", "codex-agent-sdk", "--features", "testing", "--example", "mcp_test_server",
         "--message-format", "json"],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        message = _json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "mcp_test_server":
            return str(message["executable"])
    raise AssertionError("cargo built no mcp_test_server executable")
