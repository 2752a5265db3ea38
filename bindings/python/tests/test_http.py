"""Real turns over HTTP against the core's loopback mock server (Responses API streaming)."""

from __future__ import annotations

import pytest

from codex_sdk import AgentMessageDeltaEvent, UnauthorizedError
from codex_sdk.testing import MockResponse, MockServer, enqueue, sse

from .conftest import over_http


async def test_a_turn_over_http(server: MockServer):
    enqueue(server, MockResponse.sse(sse.text_response("resp_1", "Hello over HTTP")))
    codex = over_http(server, builtin_tools=False)
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("hi")]
    deltas = "".join(e.delta for e in events if isinstance(e, AgentMessageDeltaEvent))
    assert deltas == "Hello over HTTP" == events[-1].last_agent_message
    (request,) = server.requests()
    assert (request["method"], request["path"]) == ("POST", "/v1/responses")
    assert ("authorization", "Bearer test-key") in request["headers"]
    assert request["body"]["input"][-1]["content"][0]["text"] == "hi"


async def test_a_python_tool_call_over_http(server: MockServer):
    enqueue(
        server,
        MockResponse.sse(sse.tool_call_response("resp_1", "call_1", "add", '{"a": 2, "b": 40}')),
        MockResponse.sse(sse.text_response("resp_2", "42")),
    )
    codex = over_http(server, builtin_tools=False)

    @codex.tool
    def add(a: int, b: int) -> int:
        """Adds two integers."""
        return a + b

    conversation = await codex.start_conversation()
    result = await conversation.run("2 + 40?")
    assert result.final_message == "42"
    first, second = server.requests()
    assert [t["name"] for t in first["body"]["tools"]] == ["add"]
    outputs = [i for i in second["body"]["input"] if i.get("type") == "function_call_output"]
    assert outputs == [{"type": "function_call_output", "call_id": "call_1", "output": "42"}]


async def test_a_rejected_key_raises_unauthorized(server: MockServer):
    enqueue(server, MockResponse.status(401).body('{"error": {"message": "Incorrect API key"}}'))
    codex = over_http(server, builtin_tools=False)
    conversation = await codex.start_conversation()
    with pytest.raises(UnauthorizedError) as raised:
        await conversation.run("hi")
    assert raised.value.code == "unauthorized"
    assert "401" in str(raised.value)
