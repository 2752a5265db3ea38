"""The PostgreSQL rollout store selected from the Swift binding's options (`rollout: {store: postgres}`), against
a real server: CODEX_SDK_TEST_PG_URL (scripts/with-postgres.sh starts one). Skipped loudly without it; with
CI=true a missing server fails instead."""

import asyncio
import json
import os
import sys
import tempfile
import unittest
import uuid

from support import ProofCase, options, result, sdk

URL = os.environ.get("CODEX_SDK_TEST_PG_URL")
SKIP = "no PostgreSQL (set CODEX_SDK_TEST_PG_URL or run scripts/with-postgres.sh CMD...)"


class PostgresTest(ProofCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        if not URL:
            self.assertNotEqual(os.environ.get("CI"), "true",
                                "CI=true but CODEX_SDK_TEST_PG_URL is unset: scripts/test.sh runs this under "
                                "scripts/with-postgres.sh")
            print(f"SKIPPED: {SKIP}", file=sys.stderr)
            raise unittest.SkipTest(SKIP)
        self.server = await sdk.MockServer.start()

    def worker(self) -> "sdk.Codex":
        home = tempfile.TemporaryDirectory()
        self.addCleanup(home.cleanup)
        return sdk.Codex(options=options(
            base_url=self.server.base_url(), api_key="sk-test", codex_home=home.name, cwd="/tmp",
            rollout={"store": "postgres", "url": URL, "lease_ttl_ms": 5000, "pool_size": 2}))

    async def test_a_conversation_is_listed_and_resumed_by_another_codex_and_busy_while_held(self):
        question = f"first question {uuid.uuid4()}"
        self.server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("r1", "first answer")))
        self.server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("r2", "second answer")))
        worker_a, worker_b = self.worker(), self.worker()
        conversation = await worker_a.start_conversation()
        self.assertEqual(result(await conversation.run_turn(question)).final_message, "first answer")

        path = await worker_b.find_conversation_path(conversation.id())
        self.assertTrue(path)
        # Listed once the first worker's recorder has written the turn out (it writes in the background).
        for _ in range(200):
            page = json.loads(await worker_b.list_conversations(100))
            if conversation.id() in [item["conversation_id"] for item in page["items"]]:
                break
            await asyncio.sleep(0.05)
        else:
            self.fail("the conversation was never listed by the second Codex")
        with self.assertRaises(sdk.CodexError.ConversationBusy):
            await worker_b.resume_conversation(path)

        # The lease is given back asynchronously after the owner's shutdown: retry while still busy.
        await conversation.shutdown()
        resumed = None
        for _ in range(200):
            try:
                resumed = await worker_b.resume_conversation(path)
                break
            except sdk.CodexError.ConversationBusy:
                await asyncio.sleep(0.05)
        self.assertIsNotNone(resumed, "the conversation stayed busy after its owner shut it down")
        self.assertEqual(resumed.id(), conversation.id())
        self.assertEqual(result(await resumed.run_turn("second question")).final_message, "second answer")
        await resumed.shutdown()
        sent = json.dumps(json.loads(self.server.requests()[-1].body)["input"])
        for needle in (question, "first answer", "second question"):
            self.assertIn(needle, sent)
