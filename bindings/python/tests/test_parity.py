"""The README's parity rows that the other test files do not already cover: settings as `CodexOptions`,
config.toml and auth.json, account helpers, the default model, unified exec, token formatting, review and
compaction, the tool context's call id and session approvals, and a shutdown that waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from codex_sdk import (
    Codex,
    CodexOptions,
    CompactOp,
    ContextCompactionEndEvent,
    EnteredReviewModeEvent,
    ExitedReviewModeEvent,
    InvalidInputError,
    ReviewOp,
    ReviewRequest,
    ScriptedResponse,
    ShutdownCompleteEvent,
    TaskCompleteEvent,
    ToolContext,
    auth_status,
    format_tokens_compact,
    format_tokens_exact,
    login_api_key,
    logout,
    set_default_model,
    user_email,
)

from .conftest import scripted


def test_policies_take_codex_cli_strings_and_typed_values():
    codex, _ = scripted(sandbox_policy="workspace-write", approval_policy="never")
    assert codex.model == "gpt-5-codex"
    typed = CodexOptions(model="m1", sandbox_policy={"mode": "workspace-write", "network_access": True})
    assert Codex(typed, ephemeral=True).model == "m1"


def test_a_misspelt_or_ill_typed_setting_is_an_error_naming_it():
    with pytest.raises(InvalidInputError, match="sandbox_policy"):
        Codex(sandbox_policy="workspace_write").model
    with pytest.raises(InvalidInputError, match="modle"):
        Codex(modle="gpt-5").model


def test_config_toml_and_auth_json_load_with_overrides(tmp_path: Path):
    (tmp_path / "config.toml").write_text('model = "from-file"\n')
    assert Codex(codex_home=tmp_path, load_config=True).model == "from-file"
    overridden = Codex(codex_home=tmp_path, load_config=True, config_overrides=['model="from-override"'])
    assert overridden.model == "from-override"
    assert Codex(codex_home=tmp_path).model != "from-file", "config.toml is read only when asked"


def test_login_logout_status_and_email(tmp_path: Path):
    assert auth_status(tmp_path).has_api_key is False
    login_api_key("sk-test", codex_home=tmp_path)
    status = auth_status(tmp_path)
    assert (status.has_api_key, status.auth_mode) == (True, "apikey")
    assert user_email(tmp_path) is None
    assert (tmp_path / "auth.json").stat().st_mode & 0o777 == 0o600
    assert logout(tmp_path) is True
    assert logout(tmp_path) is False


def test_set_default_model_is_what_load_config_reads(tmp_path: Path):
    set_default_model("gpt-5", "high", codex_home=tmp_path)
    assert Codex(codex_home=tmp_path, load_config=True).model == "gpt-5"
    assert 'model_reasoning_effort = "high"' in (tmp_path / "config.toml").read_text()


async def test_unified_exec_is_a_setting():
    codex, _ = scripted(use_experimental_unified_exec_tool=True)
    conversation = await codex.start_conversation()
    assert "unified_exec" in conversation.tools.names()
    codex, _ = scripted()
    assert "unified_exec" not in (await codex.start_conversation()).tools.names()


def test_token_formatting():
    assert format_tokens_exact(1234567) == "1,234,567"
    assert format_tokens_compact(999) == "999"
    assert format_tokens_compact(12_345).endswith("K")


async def events_until_complete(conversation) -> List:
    seen = []
    async for event in conversation.events():
        seen.append(event.msg)
        if isinstance(event.msg, TaskCompleteEvent):
            return seen
    return seen


async def test_compaction_and_review_are_ops():
    codex, _ = scripted(
        ScriptedResponse.text("hello"),
        ScriptedResponse.text("a summary"),
        ScriptedResponse.text('{"findings": [], "overall_correctness": "ok", "overall_explanation": "fine", "overall_confidence_score": 0.9}'),
    )
    conversation = await codex.start_conversation()
    await conversation.run("hi")
    await conversation.submit(CompactOp())
    assert any(isinstance(m, ContextCompactionEndEvent) for m in await events_until_complete(conversation))
    await conversation.submit(ReviewOp(review_request=ReviewRequest(prompt="review it", user_facing_hint="it")))
    kinds = [type(m) for m in await events_until_complete(conversation)]
    assert EnteredReviewModeEvent in kinds and ExitedReviewModeEvent in kinds


async def test_tool_context_has_the_call_id_and_approvals_are_keyed_by_it_and_remembered():
    asked = []
    codex, model = scripted(
        ScriptedResponse.tool_call("deploy", {}),
        ScriptedResponse.tool_call("deploy", {}),
        ScriptedResponse.text("ok"),
        builtin_tools=False,
        on_approval=lambda request: asked.append(request.call_id) or "approved_for_session",
    )
    call_ids = []

    @codex.tool
    async def deploy(ctx: ToolContext) -> str:
        """Deploys."""
        call_ids.append(ctx.call_id)
        return await ctx.request_approval(["deploy", "prod"])

    conversation = await codex.start_conversation()
    await conversation.run("deploy twice")
    assert len(call_ids) == 2 and all(call_ids) and call_ids[0] != call_ids[1]
    assert asked == call_ids[:1], "asked once, by the first call's id; the second was remembered"


async def test_an_aborted_approval_ends_the_turn():
    from codex_sdk import CodexInterruptedError

    codex, _ = scripted(
        ScriptedResponse.tool_call("deploy", {}),
        ScriptedResponse.text("never"),
        builtin_tools=False,
        on_approval=lambda request: "abort",
    )

    @codex.tool
    async def deploy(ctx: ToolContext) -> str:
        """Deploys."""
        return await ctx.request_approval(["deploy"])

    conversation = await codex.start_conversation()
    with pytest.raises(CodexInterruptedError):
        await conversation.run("deploy")


async def test_shutdown_waits_for_the_conversation_to_end(tmp_path: Path):
    codex, _ = scripted(ScriptedResponse.text("recorded answer"), codex_home=tmp_path)
    conversation = await codex.start_conversation()
    await conversation.run("hi")
    await conversation.shutdown()
    lines = Path(conversation.rollout_path).read_text().splitlines()
    assert any("recorded answer" in line for line in lines)
    assert all(json.loads(line) for line in lines), "whole lines only"
    assert [e async for e in conversation.events()] == [], "the stream has ended"
    assert ShutdownCompleteEvent  # the last event, consumed by shutdown()
