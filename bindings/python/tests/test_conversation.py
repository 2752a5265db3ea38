"""Conversations over the scripted model: a turn, streaming, raw events, submit."""

from __future__ import annotations

from codex_sdk import (
    AgentMessageDeltaEvent,
    AgentMessageEvent,
    MessageItem,
    OutputTextContent,
    RunResult,
    ScriptedResponse,
    SessionConfiguredEvent,
    TaskCompleteEvent,
    TaskStartedEvent,
    TokenUsage,
)

from .conftest import scripted

USAGE = TokenUsage(input_tokens=10, cached_input_tokens=2, output_tokens=3, reasoning_output_tokens=0, total_tokens=13)


async def test_a_turn_returns_items_final_message_and_usage():
    codex, model = scripted(ScriptedResponse.text("Hello there").usage(USAGE))
    conversation = await codex.start_conversation()
    result = await conversation.run("Say hello")
    assert isinstance(result, RunResult)
    assert result.final_message == "Hello there"
    assert result.usage == USAGE
    assert result.items[-1] == MessageItem(role="assistant", content=[OutputTextContent(text="Hello there")])
    assert model.remaining == 0
