"""The environment commands see: the core's `[shell_environment_policy]`, set through the binding's options.
By default a variable that looks like a secret (`*KEY*`, `*SECRET*`, `*TOKEN*`) never reaches a tool."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_sdk import ExecCommandEndEvent, ScriptedResponse

from .conftest import scripted


async def run_env(tmp_path: Path, **settings) -> str:
    codex, _ = scripted(
        ScriptedResponse.tool_call("shell", {"command": ["env"]}),
        ScriptedResponse.text("done"),
        cwd=str(tmp_path),
        approval_policy="never",
        sandbox_policy="danger-full-access",
        **settings,
    )
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("show the environment")]
    (end,) = [e for e in events if isinstance(e, ExecCommandEndEvent)]
    assert end.exit_code == 0
    return end.aggregated_output


async def test_secrets_never_reach_a_command_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CODEX_SDK_TEST_API_KEY", "sk-must-not-leak")
    monkeypatch.setenv("CODEX_SDK_TEST_PLAIN", "visible")
    output = await run_env(tmp_path)
    assert "sk-must-not-leak" not in output
    assert "CODEX_SDK_TEST_PLAIN=visible" in output


async def test_the_policy_is_taken_whole_from_the_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CODEX_SDK_TEST_PLAIN", "visible")
    output = await run_env(
        tmp_path,
        shell_environment_policy={"inherit": "none", "set": {"ONLY_THIS": "1", "PATH": "/usr/bin:/bin"}},
    )
    names = sorted(line.split("=", 1)[0] for line in output.splitlines() if "=" in line)
    assert "ONLY_THIS" in names
    assert "CODEX_SDK_TEST_PLAIN" not in names
    assert set(names) <= {"ONLY_THIS", "PATH", "CODEX_SDK_EXEC_ID"}, names
