"""Approvals through `on_approval`: granted, denied (the model is told), async callbacks, none installed, and
host tools asking for approval."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

from codex_sdk import (
    ExecApprovalRequestEvent,
    ExecCommandEndEvent,
    ScriptedResponse,
    ToolCallEndEvent,
    ToolContext,
)

from .conftest import scripted


def touch_turn(tmp_path: Path, **settings):
    """A conversation whose model runs `touch made` through the built-in shell, under the `untrusted`
    policy (which asks before anything not known to be safe)."""
    return scripted(
        ScriptedResponse.tool_call("shell", {"command": ["touch", "made"]}),
        ScriptedResponse.text("done"),
        cwd=str(tmp_path),
        approval_policy="untrusted",
        sandbox_policy={"mode": "danger-full-access"},
        **settings,
    )


async def test_an_approved_command_runs(tmp_path: Path):
    codex, _ = touch_turn(tmp_path)
    requests: List[ExecApprovalRequestEvent] = []

    @codex.on_approval
    def approve(request):
        requests.append(request)
        return "approved"

    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("make a file")]
    assert (tmp_path / "made").exists()
    assert [(r.type, r.command, r.cwd) for r in requests] == [("exec_approval_request", ["touch", "made"], str(tmp_path))]
    (end,) = [e for e in events if isinstance(e, ExecCommandEndEvent)]
    assert end.exit_code == 0
    assert events[-1].last_agent_message == "done"


async def test_a_denied_command_does_not_run_and_the_model_is_told(tmp_path: Path):
    codex, model = touch_turn(tmp_path, on_approval=lambda request: False)
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("make a file")]
    assert not (tmp_path / "made").exists()
    (end,) = [e for e in events if isinstance(e, ToolCallEndEvent)]
    assert end.success is False
    assert "reject" in end.output.lower() or "denied" in end.output.lower()
    assert events[-1].last_agent_message == "done", "the turn goes on"


async def test_an_async_callback_runs_on_the_conversations_loop(tmp_path: Path):
    loops = []

    async def approve(request: ExecApprovalRequestEvent) -> str:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return "approved_for_session"

    codex, _ = touch_turn(tmp_path, on_approval=approve)
    conversation = await codex.start_conversation()
    await conversation.run("make a file")
    assert (tmp_path / "made").exists()
    assert loops == [asyncio.get_running_loop()]


async def test_a_callback_that_raises_denies(tmp_path: Path):
    def broken(request):
        raise RuntimeError("no opinion")

    codex, _ = touch_turn(tmp_path, on_approval=broken)
    conversation = await codex.start_conversation()
    await conversation.run("make a file")
    assert not (tmp_path / "made").exists()


async def test_without_a_callback_requests_are_denied(tmp_path: Path):
    # Nobody answers: the request is denied when the approval timeout passes (fail closed).
    codex, _ = touch_turn(tmp_path, approval_timeout_ms=200)
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("make a file")]
    assert any(isinstance(e, ExecApprovalRequestEvent) for e in events)
    assert not (tmp_path / "made").exists()
    assert events[-1].last_agent_message == "done"


async def test_requests_can_be_answered_with_an_op(tmp_path: Path):
    from codex_sdk import ExecApprovalOp

    codex, _ = touch_turn(tmp_path)
    conversation = await codex.start_conversation()
    async for event in conversation.stream("make a file"):
        if isinstance(event, ExecApprovalRequestEvent):
            await conversation.submit(ExecApprovalOp(id=event.call_id, decision="approved"))
    assert (tmp_path / "made").exists()


async def test_a_host_tool_can_ask_for_approval():
    decisions = []
    codex, _ = scripted(
        ScriptedResponse.tool_call("deploy", {"target": "prod"}),
        ScriptedResponse.tool_call("deploy", {"target": "staging"}),
        ScriptedResponse.tool_call("deploy_sync", {"target": "staging"}),
        ScriptedResponse.text("ok"),
        builtin_tools=False,
        on_approval=lambda request: request.command[-1] == "staging",
    )

    @codex.tool
    async def deploy(target: str, ctx: ToolContext) -> str:
        """Deploys."""
        decision = await ctx.request_approval(["deploy", target], reason="production is sensitive")
        decisions.append(decision)
        return f"deployed to {target}" if decision.startswith("approved") else "not deployed"

    @codex.tool
    def deploy_sync(target: str, ctx: ToolContext) -> str:
        """Deploys, from a sync tool (it runs on a worker thread, so it may block)."""
        decision = ctx.request_approval_sync(["deploy", target])
        decisions.append(decision)
        return decision

    conversation = await codex.start_conversation()
    await conversation.run("deploy everywhere")
    assert decisions == ["denied", "approved", "approved"]
