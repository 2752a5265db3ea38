"""Deterministic replay: a conversation recorded against the loopback server re-runs offline from its
rollout with the same events; a replay that asks something else fails naming the first difference."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest

from codex_sdk import (
    AgentMessageDeltaEvent,
    AgentReasoningDeltaEvent,
    Codex,
    ReplayDivergedError,
    SessionConfiguredEvent,
)
from codex_sdk.testing import MockResponse, MockServer, ReplayModel, enqueue, sse

from .conftest import over_http


def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


def normalized(events: List[Any]) -> List[Any]:
    """The events as compared: JSON without durations and timestamps, without streaming deltas (how a
    stream was chunked is not recorded)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if "duration" not in k and "timestamp" not in k}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    skipped = (AgentMessageDeltaEvent, AgentReasoningDeltaEvent, SessionConfiguredEvent)
    return [strip(e.to_dict()) for e in events if not isinstance(e, skipped)]


async def record(server: MockServer, home: Path) -> tuple[list, str, str, Codex]:
    enqueue(
        server,
        MockResponse.sse(sse.tool_call_response("resp_1", "call_1", "add", '{"a": 2, "b": 40}')),
        MockResponse.sse(sse.text_response("resp_2", "42")),
    )
    codex = over_http(server, builtin_tools=False, codex_home=str(home), ephemeral=False, tools=[add])
    conversation = await codex.start_conversation()
    events = [e async for e in conversation.stream("2 + 40?")]
    path = conversation.rollout_path
    assert path is not None
    await conversation.shutdown()
    return events, path, conversation.id, codex


async def test_a_recorded_conversation_replays_offline_with_the_same_events(server: MockServer, tmp_path: Path):
    recorded, path, _, _ = await record(server, tmp_path / "home")
    model = ReplayModel.from_rollout(path)
    assert model.remaining == 2
    codex = Codex(model_client=model, cwd="/tmp", ephemeral=True, builtin_tools=False, tools=[add])
    conversation = await codex.start_conversation()
    replayed = [e async for e in conversation.stream("2 + 40?")]
    assert model.divergence is None
    assert model.remaining == 0
    assert normalized(replayed) == normalized(recorded)
    assert len(server.requests()) == 2, "the replay must not reach the server"


async def test_a_conversation_replays_by_id_from_its_codex(server: MockServer, tmp_path: Path):
    _, _, conversation_id, recorder = await record(server, tmp_path / "home")
    model = await ReplayModel.from_conversation(recorder, conversation_id)
    assert model.remaining == 2


async def test_a_diverging_replay_fails_naming_the_first_difference(server: MockServer, tmp_path: Path):
    _, path, _, _ = await record(server, tmp_path / "home")
    model = ReplayModel.from_rollout(path)
    codex = Codex(model_client=model, cwd="/tmp", ephemeral=True, builtin_tools=False, tools=[add])
    conversation = await codex.start_conversation()
    with pytest.raises(ReplayDivergedError) as raised:
        await conversation.run("something else")
    assert "something else" in str(raised.value)
    assert model.divergence is not None and "2 + 40?" in model.divergence
