"""Test support: the core's loopback mock model server (Responses API over HTTP) and SSE builders.

    server = MockServer()
    server.enqueue(MockResponse.sse(sse.text_response("resp_1", "Hello!")))
    codex = Codex(base_url=server.base_url, api_key="test")
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from . import _native
from ._scripted import ReplayModel, ScriptedModel, ScriptedResponse

MockServer = _native.MockServer
"""A mock model server on 127.0.0.1 answering each request with the next queued `MockResponse`."""


class MockResponse:
    """One canned answer of the `MockServer` (immutable: each method returns a new one)."""

    __slots__ = ("native",)

    def __init__(self, native: _native.MockResponse):
        self.native = native

    @staticmethod
    def sse(events: List[Dict[str, Any]]) -> "MockResponse":
        """A Responses API stream of these events (see `sse`)."""
        return MockResponse(_native.MockResponse.sse(json.dumps(events)))

    @staticmethod
    def status(code: int) -> "MockResponse":
        """A plain response with this HTTP status."""
        return MockResponse(_native.MockResponse.status(code))

    def body(self, body: str) -> "MockResponse":
        """Sets the body."""
        return MockResponse(self.native.body(body))

    def header(self, name: str, value: str) -> "MockResponse":
        """Adds a header."""
        return MockResponse(self.native.header(name, value))

    def event_delay(self, seconds: float) -> "MockResponse":
        """Waits this long between events."""
        return MockResponse(self.native.event_delay(seconds))

    def cut_after_bytes(self, n: int) -> "MockResponse":
        """Closes the connection after `n` body bytes."""
        return MockResponse(self.native.cut_after_bytes(n))


def enqueue(server: _native.MockServer, *responses: MockResponse) -> None:
    """Queues answers on `server`."""
    for response in responses:
        server.enqueue(response.native)


class sse:
    """Builders of Responses API stream events (the core's `testing::sse`)."""

    text_response = staticmethod(_native.sse_text_response)
    tool_call_response = staticmethod(_native.sse_tool_call_response)
    created = staticmethod(_native.sse_created)
    output_text_delta = staticmethod(_native.sse_output_text_delta)
    assistant_message = staticmethod(_native.sse_assistant_message)
    function_call = staticmethod(_native.sse_function_call)
    completed = staticmethod(_native.sse_completed)
    failed = staticmethod(_native.sse_failed)


__all__ = ["MockResponse", "MockServer", "ReplayModel", "ScriptedModel", "ScriptedResponse", "enqueue", "sse"]
