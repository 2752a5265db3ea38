"""Recorded conversations: the rollout file, resume, fork, list, archive."""

from __future__ import annotations

from pathlib import Path

from codex_sdk import ScriptedResponse, UserMessageEvent

from .conftest import scripted


def user_texts(request: list) -> list:
    """The user-typed texts of one request's history (the environment context left out)."""
    return [
        part["text"]
        for item in request
        if item.get("role") == "user"
        for part in item.get("content", [])
        if not part.get("text", "").startswith("<")
    ]


async def test_a_conversation_is_recorded_and_resumed(tmp_path: Path):
    codex, _ = scripted(ScriptedResponse.text("first answer"), codex_home=tmp_path)
    conversation = await codex.start_conversation()
    await conversation.run("first question")
    path = conversation.rollout_path
    assert path and Path(path).is_file() and str(tmp_path) in path
    await conversation.shutdown()

    later, model = scripted(ScriptedResponse.text("second answer"), codex_home=tmp_path)
    resumed = await later.resume_conversation(path)
    assert resumed.id == conversation.id
    replayed = resumed.session_configured.initial_messages or []
    assert any(isinstance(m, UserMessageEvent) and m.message == "first question" for m in replayed)
    assert (await resumed.run("second question")).final_message == "second answer"
    assert user_texts(model.requests()[0]) == ["first question", "second question"]


async def test_a_fork_keeps_what_came_before_the_nth_user_message(tmp_path: Path):
    codex, _ = scripted(ScriptedResponse.text("a1"), ScriptedResponse.text("a2"), codex_home=tmp_path)
    conversation = await codex.start_conversation()
    await conversation.run("q1")
    await conversation.run("q2")
    await conversation.shutdown()

    later, model = scripted(ScriptedResponse.text("forked"), codex_home=tmp_path)
    fork = await later.fork_conversation(conversation.rollout_path, 1)
    assert fork.id != conversation.id
    assert fork.rollout_path != conversation.rollout_path
    await fork.run("q2 again")
    assert user_texts(model.requests()[0]) == ["q1", "q2 again"]


async def test_recorded_conversations_are_listed_newest_first(tmp_path: Path):
    ids = []
    for question in ("older", "newer"):
        codex, _ = scripted(ScriptedResponse.text("ok"), codex_home=tmp_path)
        conversation = await codex.start_conversation()
        await conversation.run(question)
        await conversation.shutdown()
        ids.append(conversation.id)
    codex, _ = scripted(codex_home=tmp_path)
    page = await codex.list_conversations(10)
    items = page["items"] if isinstance(page, dict) else page.items
    listed = [item["conversation_id"] if isinstance(item, dict) else item.conversation_id for item in items]
    assert listed == list(reversed(ids))
    path = await codex.find_conversation_path(ids[0])
    assert isinstance(path, str) and path.endswith(".jsonl")
    archived = await codex.archive_conversation(ids[0], path)
    assert "archived_sessions" in archived and not Path(path).exists()
    assert await codex.find_conversation_path(ids[0]) is None
    restored = await codex.unarchive_conversation(ids[0], archived)
    assert Path(restored).is_file()


async def test_an_ephemeral_conversation_is_not_recorded(tmp_path: Path):
    codex, _ = scripted(ScriptedResponse.text("ok"), codex_home=tmp_path, ephemeral=True)
    conversation = await codex.start_conversation()
    await conversation.run("hi")
    assert conversation.rollout_path is None
    assert not any(tmp_path.rglob("*.jsonl"))
