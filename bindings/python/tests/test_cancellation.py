"""Leaving a turn early: `break`, task cancellation, `interrupt()`, `aclose()` — each stops the turn, and
the conversation stays usable."""

from __future__ import annotations

import asyncio
import gc

import pytest

from codex_sdk import (
    AgentMessageDeltaEvent,
    CodexInterruptedError,
    ScriptedModel,
    ScriptedResponse,
    ToolCallEndEvent,
    TurnAbortedEvent,
)

from .conftest import scripted

FIRST = "one two three four five six seven eight nine ten eleven twelve"


def slow():
    """A conversation whose first answer streams slowly (20 ms per event)."""
    return scripted(ScriptedResponse.text(FIRST), event_delay=0.02)


def first_answer_completed(model: ScriptedModel) -> bool:
    """Whether a later request carried the first answer in full (it must not: the turn was cut off)."""
    return any(
        part.get("text") == FIRST
        for request in model.requests()
        for item in request
        for part in item.get("content", [])
    )


async def test_break_out_of_async_for_interrupts_the_turn():
    codex, model = slow()
    conversation = await codex.start_conversation()
    async for event in conversation.stream("count"):
        if isinstance(event, AgentMessageDeltaEvent):
            break
    model.push(ScriptedResponse.text("back"))
    result = await asyncio.wait_for(conversation.run("again"), 5)
    assert result.final_message == "back"
    assert not first_answer_completed(model)


async def test_cancelling_the_consuming_task_interrupts_the_turn():
    codex, model = slow()
    conversation = await codex.start_conversation()
    task = asyncio.ensure_future(conversation.run("count"))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    model.push(ScriptedResponse.text("back"))
    result = await asyncio.wait_for(conversation.run("again"), 5)
    assert result.final_message == "back"
    assert not first_answer_completed(model)


async def test_a_timeout_around_run_interrupts_the_turn():
    codex, model = slow()
    conversation = await codex.start_conversation()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(conversation.run("count"), 0.1)
    model.push(ScriptedResponse.text("back"))
    assert (await conversation.run("again")).final_message == "back"
    assert not first_answer_completed(model)


async def test_interrupt_ends_a_running_turn_with_an_interrupted_error():
    codex, model = slow()
    conversation = await codex.start_conversation()
    task = asyncio.ensure_future(conversation.run("count"))
    await asyncio.sleep(0.1)
    await conversation.interrupt()
    with pytest.raises(CodexInterruptedError) as raised:
        await task
    assert raised.value.code == "interrupted"
    model.push(ScriptedResponse.text("back"))
    assert (await conversation.run("again")).final_message == "back"


async def test_interrupt_ends_a_stream_with_turn_aborted():
    codex, _ = slow()
    conversation = await codex.start_conversation()
    events = []
    async for event in conversation.stream("count"):
        events.append(event)
        if isinstance(event, AgentMessageDeltaEvent) and len(events) < 100:
            await conversation.interrupt()
    assert events[-1] == TurnAbortedEvent(reason="interrupted")
    assert not any(e.type == "task_complete" for e in events)


async def test_closing_a_stream_interrupts_the_turn():
    codex, model = slow()
    conversation = await codex.start_conversation()
    async with conversation.stream("count") as turn:
        async for event in turn:
            if isinstance(event, AgentMessageDeltaEvent):
                break
    model.push(ScriptedResponse.text("back"))
    assert (await conversation.run("again")).final_message == "back"
    assert not first_answer_completed(model)


async def test_an_abandoned_stream_that_was_never_read_does_not_block_the_next_turn():
    codex, model = slow()
    conversation = await codex.start_conversation()
    conversation.stream("count")  # dropped at once
    model.push(ScriptedResponse.text("back"))
    # Whether the dropped stream got to start its turn is a race; either way the next turn runs.
    result = await asyncio.wait_for(conversation.run("again"), 5)
    assert result.final_message in ("back", FIRST)


async def test_codex_shutdown_ends_a_running_turn_with_its_terminal_event():
    codex, _model = scripted(
        ScriptedResponse.tool_call("wait_forever", {}),
        ScriptedResponse.text("never"),
        builtin_tools=False,
    )
    started = asyncio.Event()

    @codex.tool
    async def wait_forever() -> str:
        """Never returns."""
        started.set()
        await asyncio.Event().wait()
        return "unreachable"

    conversation = await codex.start_conversation()
    events = []

    async def read():
        async for event in conversation.stream("go"):
            events.append(event)

    reader = asyncio.ensure_future(read())
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.wait_for(codex.shutdown(), 10)
    await asyncio.wait_for(reader, 10)
    assert isinstance(events[-1], TurnAbortedEvent), events
    ends = [e for e in events if isinstance(e, ToolCallEndEvent)]
    assert len(ends) == 1 and not ends[0].success, events


async def test_a_conversation_outlives_the_codex_object_that_started_it():
    codex, model = scripted(ScriptedResponse.text("still here"))
    conversation = await codex.start_conversation()
    del codex
    gc.collect()
    result = await asyncio.wait_for(conversation.run("hello"), 10)
    assert result.final_message == "still here"
    assert model.requests()
