"""Conversations over the scripted model: a turn, streaming order and completeness, raw events, submit."""

from __future__ import annotations

from codex_sdk import (
    AgentMessageDeltaEvent,
    AgentMessageEvent,
    Event,
    MessageItem,
    OutputTextContent,
    RunResult,
    ScriptedResponse,
    SessionConfiguredEvent,
    TaskCompleteEvent,
    TaskStartedEvent,
    TextInput,
    TokenCountEvent,
    TokenUsage,
    UserInputOp,
    UserMessageEvent,
)

from .conftest import scripted

USAGE = TokenUsage(input_tokens=10, cached_input_tokens=2, output_tokens=3, reasoning_output_tokens=0, total_tokens=13)
TERMINAL = ("task_complete", "turn_aborted", "error")


async def test_a_turn_returns_items_final_message_and_usage():
    codex, model = scripted(ScriptedResponse.text("Hello there").usage(USAGE))
    conversation = await codex.start_conversation()
    result = await conversation.run("Say hello")
    assert isinstance(result, RunResult)
    assert result.final_message == "Hello there"
    assert result.usage == USAGE
    assert result.items[-1] == MessageItem(role="assistant", content=[OutputTextContent(text="Hello there")])
    assert model.remaining == 0


async def test_the_conversation_knows_its_id_and_configuration():
    codex, _ = scripted(model="gpt-5-codex")
    conversation = await codex.start_conversation()
    configured = conversation.session_configured
    assert isinstance(configured, SessionConfiguredEvent)
    assert configured.session_id == conversation.id
    assert configured.model == "gpt-5-codex"


async def test_streaming_yields_the_whole_turn_in_order_and_the_deltas_add_up():
    text = "The quick brown fox jumps over the lazy dog, " * 20
    codex, _ = scripted(ScriptedResponse.text(text))
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("Tell me about foxes")]

    assert isinstance(events[0], TaskStartedEvent)
    assert isinstance(events[-1], TaskCompleteEvent)
    assert [e.type for e in events].count("task_complete") == 1
    assert not any(e.type in TERMINAL for e in events[:-1])
    assert any(isinstance(e, UserMessageEvent) and e.message == "Tell me about foxes" for e in events)
    deltas = [e.delta for e in events if isinstance(e, AgentMessageDeltaEvent)]
    (message,) = [e.message for e in events if isinstance(e, AgentMessageEvent)]
    assert len(deltas) > 100
    assert "".join(deltas) == message == text == events[-1].last_agent_message
    # Every delta comes before the complete message; usage is reported before the end.
    assert max(i for i, e in enumerate(events) if e.type == "agent_message_delta") < events.index(
        next(e for e in events if e.type == "agent_message")
    )
    assert any(isinstance(e, TokenCountEvent) for e in events)


async def test_turns_of_one_conversation_run_one_after_the_other():
    codex, model = scripted(ScriptedResponse.text("one"), ScriptedResponse.text("two"))
    conversation = await codex.start_conversation()
    assert (await conversation.run("first")).final_message == "one"
    assert (await conversation.run("second")).final_message == "two"
    second_request = model.requests()[1]
    assert any(item.get("role") == "assistant" for item in second_request), "history carries the first answer"


async def test_ops_can_be_submitted_and_the_raw_events_read():
    codex, _ = scripted(ScriptedResponse.text("raw"))
    conversation = await codex.start_conversation()
    submission = await conversation.submit(UserInputOp(items=[TextInput(text="hi")]))
    seen = []
    async for event in conversation.events():
        assert isinstance(event, Event)
        seen.append(event)
        if event.msg.type == "task_complete":
            break
    assert isinstance(seen[0].msg, SessionConfiguredEvent)
    assert seen[0].id == "init"
    assert all(e.id == submission for e in seen[1:])
    assert seen[-1].msg == TaskCompleteEvent(last_agent_message="raw")


async def test_input_can_be_text_input_items_or_their_dicts():
    codex, model = scripted(ScriptedResponse.text("ok"))
    conversation = await codex.start_conversation()
    await conversation.run([TextInput(text="a"), "b", {"type": "text", "text": "c"}])
    user = [item for item in model.requests()[0] if item.get("role") == "user"][-1]
    assert [part["text"] for part in user["content"]] == ["a", "b", "c"]


async def test_many_conversations_run_at_once():
    import asyncio

    async def one(i: int) -> str:
        codex, _ = scripted(ScriptedResponse.text(f"answer {i}"))
        conversation = await codex.start_conversation()
        return (await conversation.run(f"question {i}")).final_message or ""

    answers = await asyncio.gather(*(one(i) for i in range(20)))
    assert answers == [f"answer {i}" for i in range(20)]


async def test_compaction_is_an_op_and_its_events_are_typed():
    from codex_sdk import CompactOp, ContextCompactionBeginEvent, ContextCompactionEndEvent

    codex, model = scripted(ScriptedResponse.text("hello"), ScriptedResponse.text("SUMMARY of the chat"))
    conversation = await codex.start_conversation()
    await conversation.run("hi")
    submission = await conversation.submit(CompactOp())
    msgs = []
    async for event in conversation.events():
        if event.id == submission:
            msgs.append(event.msg)
            if event.msg.type in TERMINAL:
                break
    (begin,) = [m for m in msgs if isinstance(m, ContextCompactionBeginEvent)]
    (end,) = [m for m in msgs if isinstance(m, ContextCompactionEndEvent)]
    assert begin.trigger == "manual"
    assert "SUMMARY of the chat" in end.summary
    assert isinstance(msgs[-1], TaskCompleteEvent)
