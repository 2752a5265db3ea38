"""The README's parity rows that the other test files do not already cover: settings as `CodexOptions`,
config.toml and auth.json, account helpers, the default model, unified exec, token formatting, review and
compaction, the tool context's call id and session approvals, and a shutdown that waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import pytest

from codex_sdk import (
    Codex,
    CodexOptions,
    CompactOp,
    ContextCompactionEndEvent,
    EnteredReviewModeEvent,
    ExitedReviewModeEvent,
    InvalidInputError,
    McpElicitationRequestEvent,
    McpToolCallApprovalRequestEvent,
    McpToolCallEndEvent,
    ResolveMcpElicitationOp,
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

from codex_sdk.testing import MockResponse, MockServer, enqueue, sse

from .conftest import mcp_test_server, scripted


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


def codex_home_with_profile(tmp_path: Path, base_url: str) -> Tuple[Path, Path]:
    """A CODEX_HOME whose config.toml points at the mock server and whose `fast` profile sets the model,
    effort, verbosity and web search; a global AGENTS.md; a repository with its own AGENTS.md."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "gpt-4.1"\nmodel_provider = "mock"\n\n[model_providers.mock]\nname = "mock"\n'
        f'base_url = "{base_url}"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n'
    )
    (home / "fast.config.toml").write_text(
        'model = "gpt-5"\nmodel_reasoning_effort = "minimal"\nmodel_verbosity = "low"\n\n[tools]\nweb_search = true\n'
    )
    (home / "AGENTS.md").write_text("Always answer in French.\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "AGENTS.md").write_text("Run the tests first.\n")
    return home, repo


async def test_config_toml_profile_and_agents_md_reach_the_request(tmp_path: Path, server: MockServer):
    enqueue(server, MockResponse.sse(sse.text_response("r1", "ok")), MockResponse.sse(sse.text_response("r2", "ok")))
    home, repo = codex_home_with_profile(tmp_path, server.base_url)
    codex = Codex(
        codex_home=home, load_config=True, profile="fast", cwd=repo, api_key="test-key", builtin_tools=False,
        model_max_output_tokens=99, user_instructions="Be brief.",
    )
    await (await codex.start_conversation()).run("hi")
    body = server.requests()[0]["body"]
    assert (body["model"], body["reasoning"]["effort"], body["text"]) == ("gpt-5", "minimal", {"verbosity": "low"})
    assert body["max_output_tokens"] == 99
    assert {"type": "web_search"} in body["tools"]
    instructions = body["input"][0]["content"][0]["text"]
    for text in ("Always answer in French.", "Be brief.", "Run the tests first."):
        assert text in instructions, instructions

    quiet = Codex(codex_home=home, load_config=True, cwd=repo, api_key="test-key", builtin_tools=False,
                  no_project_docs=True, web_search=False)
    await (await quiet.start_conversation()).run("hi")
    body = server.requests()[1]["body"]
    assert body["model"] == "gpt-4.1" and not body.get("tools")
    assert not any("French" in json.dumps(item) for item in body["input"])

    with pytest.raises(InvalidInputError, match="fast"):
        Codex(codex_home=home, load_config=True, profile="nope").model


async def test_an_mcp_server_s_tools_run_through_a_turn_with_approval_and_elicitation():
    asked = []

    def approve(request):
        asked.append(request)
        return "approved"

    codex, model = scripted(
        ScriptedResponse.tool_call("test__echo", {"text": "hello from mcp"}),
        ScriptedResponse.tool_call("test__ask", {}),
        ScriptedResponse.text("done"),
        builtin_tools=False,
        approval_policy="on-request",
        mcp_servers={"test": {"command": mcp_test_server(), "args": ["stdio"]}},
        on_approval=approve,
    )
    conversation = await codex.start_conversation()
    ends = []
    async for event in conversation.stream("go"):
        if isinstance(event, McpElicitationRequestEvent):
            assert (event.server, event.message) == ("test", "What is your name?")
            await conversation.submit(ResolveMcpElicitationOp(
                server=event.server, request_id=event.request_id, action="accept", content={"name": "Ada"}))
        elif isinstance(event, McpToolCallEndEvent):
            ends.append(event)
    assert all(isinstance(request, McpToolCallApprovalRequestEvent) for request in asked)
    assert [(r.invocation.server, r.invocation.tool) for r in asked] == [("test", "echo"), ("test", "ask")]
    assert [(e.invocation.tool, e.result.type) for e in ends] == [("echo", "response"), ("ask", "response")]
    assert ends[0].result.content == [{"type": "text", "text": "hello from mcp"}]
    assert json.loads(ends[1].result.content[0]["text"])["content"] == {"name": "Ada"}


async def test_telemetry_events_reach_the_callback_redacted_and_shutdown_flushes(server: MockServer):
    key = "sk-telemetry-secret-1234"
    enqueue(
        server,
        MockResponse.sse(sse.tool_call_response("r1", "call_1", "whoami", json.dumps({"key": key}))),
        MockResponse.sse(sse.text_response("r2", "done")),
    )
    seen: List[dict] = []
    provider = {"name": "mock", "base_url": server.base_url, "wire_api": "responses", "request_max_retries": 0}
    codex = Codex(provider=provider, api_key=key, cwd="/tmp", ephemeral=True, builtin_tools=False,
                  on_approval=lambda request: "approved", on_telemetry=seen.append)

    @codex.tool
    async def whoami(key: str, ctx: ToolContext) -> str:
        """Echoes the key, once approved."""
        return f"{await ctx.request_approval(['whoami'])}: {key}"

    conversation = await codex.start_conversation()
    await conversation.run(f"my key is {key}")
    await codex.shutdown()
    names = {event["kind"]["name"] for event in seen}
    assert names == {"codex.api_request", "codex.sse_event", "codex.user_prompt", "codex.tool_decision",
                     "codex.tool_result"}, names
    assert all(event["metadata"]["conversation_id"] == conversation.id for event in seen)
    assert key not in json.dumps(seen)
    assert codex.telemetry_stats() == {"exported": 0, "dropped": 0, "failed": 0, "host_dropped": 0}
