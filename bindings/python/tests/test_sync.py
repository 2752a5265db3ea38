"""The blocking facade: `CodexSync`, `ConversationSync`, `run_sync`."""

from __future__ import annotations

import asyncio

from codex_sdk import (
    AgentMessageDeltaEvent,
    CodexSync,
    ScriptedModel,
    ScriptedResponse,
    TaskCompleteEvent,
    run_sync,
)


def sync_codex(*responses: ScriptedResponse, **settings) -> CodexSync:
    settings.setdefault("builtin_tools", False)
    settings.setdefault("ephemeral", True)
    return CodexSync(model_client=ScriptedModel(responses, event_delay=settings.pop("event_delay", None)), **settings)


def test_a_blocking_turn_with_sync_and_async_tools():
    codex = sync_codex(
        ScriptedResponse.tool_call("double", {"n": 21}),
        ScriptedResponse.tool_call("negate", {"n": 42}),
        ScriptedResponse.text("-42"),
    )

    @codex.tool
    def double(n: int) -> int:
        """Doubles."""
        return n * 2

    @codex.tool
    async def negate(n: int) -> int:
        """Negates."""
        await asyncio.sleep(0)
        return -n

    conversation = codex.start_conversation()
    assert conversation.run("compute").final_message == "-42"


def test_a_blocking_stream():
    codex = sync_codex(ScriptedResponse.text("streamed in pieces"))
    conversation = codex.start_conversation()
    events = list(conversation.stream("go"))
    assert isinstance(events[-1], TaskCompleteEvent)
    assert "".join(e.delta for e in events if isinstance(e, AgentMessageDeltaEvent)) == "streamed in pieces"


def test_leaving_a_blocking_stream_early_interrupts_the_turn():
    model = ScriptedModel([ScriptedResponse.text("a b c d e f g h i j k l m n o p")], event_delay=0.02)
    codex = CodexSync(model_client=model, builtin_tools=False, ephemeral=True)
    conversation = codex.start_conversation()
    for event in conversation.stream("go"):
        if isinstance(event, AgentMessageDeltaEvent):
            break
    model.push(ScriptedResponse.text("back"))
    assert conversation.run("again").final_message == "back"


def test_the_facade_works_inside_a_running_event_loop():
    async def notebook_cell() -> str:
        codex = sync_codex(ScriptedResponse.text("fine"))
        return codex.start_conversation().run("hi").final_message or ""

    assert asyncio.run(notebook_cell()) == "fine"


def test_run_sync_runs_any_coroutine_of_the_async_api():
    codex = sync_codex(ScriptedResponse.text("direct")).codex
    conversation = run_sync(codex.start_conversation())
    assert run_sync(conversation.run("hi")).final_message == "direct"


def test_blocking_submit_and_raw_events():
    from codex_sdk import TextInput, UserInputOp

    conversation = sync_codex(ScriptedResponse.text("raw")).start_conversation()
    submission = conversation.submit(UserInputOp(items=[TextInput(text="hi")]))
    for event in conversation.events():
        if event.id == submission and event.msg.type == "task_complete":
            assert event.msg == TaskCompleteEvent(last_agent_message="raw")
            break


def test_telemetry_reaches_a_sync_callback_and_shutdown_flushes_it():
    seen = []
    codex = sync_codex(ScriptedResponse.text("hi"), cwd="/tmp")
    codex.on_telemetry(seen.append)
    codex.start_conversation().run("hello")
    codex.shutdown()
    assert {"codex.user_prompt", "codex.sse_event"} <= {event["kind"]["name"] for event in seen}
    assert codex.telemetry_stats()["host_dropped"] == 0
