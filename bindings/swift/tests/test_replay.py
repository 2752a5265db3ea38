"""Deterministic replay: a conversation recorded against the loopback mock server re-runs offline from its
rollout with the same events; a replay that asks something else fails with `replayDiverged` naming the
first difference."""

import json
import tempfile

from support import ProofCase, options, result, sdk
from test_http import Add

SKIPPED = {"agent_message_delta", "agent_reasoning_delta", "session_configured"}


def normalized(events: list[dict]) -> list:
    """The events' messages without durations, timestamps, streaming deltas or the session's identity."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if "duration" not in k and "timestamp" not in k}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(e["msg"]) for e in events if e["msg"]["type"] not in SKIPPED]


class ReplayTest(ProofCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.server = await sdk.MockServer.start()
        home = tempfile.TemporaryDirectory()
        self.addCleanup(home.cleanup)
        self.home = home.name

    async def record(self):
        self.server.enqueue(sdk.MockResponse.sse(
            sdk.sse_tool_call_response("resp_1", "call_1", "add", json.dumps({"a": 20, "b": 22}))))
        self.server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("resp_2", "42")))
        codex = sdk.Codex(
            options=options(base_url=self.server.base_url(), api_key="sk-test", codex_home=self.home, cwd="/tmp"),
            tools=[Add()])
        conversation = await codex.start_conversation()
        events = await self.drain(conversation.start_turn("add them"))
        await conversation.shutdown()
        path = json.loads(conversation.session_configured())["rollout_path"]
        return codex, conversation.id(), path, events

    def replayer(self, model):
        return sdk.Codex(options=options(cwd="/tmp"), tools=[Add()], replay_model=model)

    async def test_a_recorded_conversation_replays_offline_with_the_same_events(self):
        _, _, path, recorded = await self.record()
        model = sdk.ReplayModel.from_rollout(path)
        self.assertEqual(model.remaining(), 2)
        conversation = await self.replayer(model).start_conversation()
        replayed = await self.drain(conversation.start_turn("add them"))
        self.assertIsNone(model.divergence())
        self.assertEqual(model.remaining(), 0)
        self.assertEqual(normalized(replayed), normalized(recorded))
        self.assertEqual(len(self.server.requests()), 2)

    async def test_a_conversation_replays_by_id_from_the_codex_that_recorded_it(self):
        codex, conversation_id, _, _ = await self.record()
        model = await codex.replay_model(conversation_id)
        self.assertEqual(model.remaining(), 2)

    async def test_a_diverging_replay_fails_naming_the_first_difference(self):
        _, _, path, _ = await self.record()
        model = sdk.ReplayModel.from_rollout(path)
        conversation = await self.replayer(model).start_conversation()
        with self.assertRaises(sdk.CodexError.ReplayDiverged) as raised:
            result(await conversation.run_turn("something else"))
        self.assertIn("something else", raised.exception.message)
        self.assertIn("add them", model.divergence() or "")
