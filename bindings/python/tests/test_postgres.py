"""The PostgreSQL rollout store selected from Python settings (`rollout={"store": "postgres", ...}`), against a
real server: `CODEX_SDK_TEST_PG_URL` (scripts/with-postgres.sh starts one). Skipped loudly without it; with
`CI=true` a missing server fails instead."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any, Dict

import pytest

from codex_sdk import ConversationBusyError
from codex_sdk.testing import MockResponse, MockServer, enqueue, sse

from .conftest import over_http


def postgres_url() -> str:
    url = os.environ.get("CODEX_SDK_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but CODEX_SDK_TEST_PG_URL is unset: scripts/test.sh runs this under scripts/with-postgres.sh")
    message = "SKIPPED: no PostgreSQL (set CODEX_SDK_TEST_PG_URL or run scripts/with-postgres.sh CMD...)"
    warnings.warn(message)
    pytest.skip(message)


def settings(url: str, home: Path) -> Dict[str, Any]:
    """Options recording into PostgreSQL (a short lease: a stopped conversation is free again soon)."""
    return {
        "rollout": {"store": "postgres", "url": url, "lease_ttl_ms": 5000, "pool_size": 2},
        "ephemeral": False,
        "codex_home": str(home),
        "builtin_tools": False,
    }


def listed_ids(page: Any) -> list:
    items = page["items"] if isinstance(page, dict) else page.items
    return [item["conversation_id"] if isinstance(item, dict) else item.conversation_id for item in items]


async def test_a_conversation_in_postgres_is_listed_and_resumed_by_another_codex(server: MockServer, tmp_path: Path):
    url = postgres_url()
    question = f"first question {uuid.uuid4()}"
    enqueue(
        server,
        MockResponse.sse(sse.text_response("r1", "first answer")),
        MockResponse.sse(sse.text_response("r2", "second answer")),
    )
    worker_a = over_http(server, **settings(url, tmp_path / "a"))
    conversation = await worker_a.start_conversation()
    assert (await conversation.run(question)).final_message == "first answer"
    path = conversation.rollout_path
    assert path, "a recorded conversation has a rollout path"
    assert not any((tmp_path / "a").rglob("*.jsonl")), "nothing is written under CODEX_HOME"

    # A second Codex (another worker, same database) sees it (once the first one's recorder has written the
    # turn out: it writes in the background)...
    worker_b = over_http(server, **settings(url, tmp_path / "b"))
    for _ in range(200):
        if conversation.id in listed_ids(await worker_b.list_conversations(100)):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the conversation was never listed by the second Codex")
    assert await worker_b.find_conversation_path(conversation.id) == path

    # ...but cannot take it while the first one holds it.
    with pytest.raises(ConversationBusyError) as busy:
        await worker_b.resume_conversation(path)
    assert busy.value.code == "conversation_busy"

    # Once the first one ends it, the second resumes it with its history (the lease is given back
    # asynchronously after the shutdown: retry while it is still busy).
    await conversation.shutdown()
    for _ in range(200):
        try:
            resumed = await worker_b.resume_conversation(path)
            break
        except ConversationBusyError:
            await asyncio.sleep(0.05)
    else:
        pytest.fail("the conversation stayed busy after its owner shut it down")
    assert resumed.id == conversation.id
    assert (await resumed.run("second question")).final_message == "second answer"
    await resumed.shutdown()

    sent = json.dumps(server.requests()[-1]["body"]["input"])
    assert question in sent and "first answer" in sent and "second question" in sent, sent
