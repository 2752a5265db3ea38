"""Async calls and a whole turn: Codex(options:) → startConversation → runTurn / the turn stream."""

import json

from support import result, ProofCase, options, decode, msg_types, response, scripted, sdk, text


class ConversationTest(ProofCase):
    async def test_run_turn_returns_the_final_message(self):
        model = scripted(response(text("Hello from the script.")))
        codex = sdk.Codex(options=options(model="gpt-test"), model_client=model)
        self.assertEqual(codex.model(), "gpt-test")
        conversation = await codex.start_conversation()

        result_ = result(await conversation.run_turn("Say hello"))

        self.assertEqual(result_.final_message, "Hello from the script.")
        items = result_.items
        self.assertEqual([i["type"] for i in items], ["message", "message"])
        self.assertEqual(items[0]["role"], "user")
        self.assertGreater(result_.usage["total_tokens"], 0)
        self.assertEqual(model.remaining(), 0)

    async def test_session_configured_is_the_first_event(self):
        codex = sdk.Codex(options=options(model="gpt-test"), model_client=scripted())
        conversation = await codex.start_conversation()

        configured = json.loads(conversation.session_configured())
        first = decode(await conversation.next_event())

        self.assertEqual(configured["session_id"], conversation.id())
        self.assertEqual(first["msg"], {"type": "session_configured", **configured})

    async def test_turn_stream_delivers_the_whole_turn_in_order(self):
        words = "one two three four five six"
        codex = sdk.Codex(options=options(), model_client=scripted(response(text(words))))
        conversation = await codex.start_conversation()

        events = await self.drain(conversation.start_turn("count"))

        types = msg_types(events)
        # A turn stream holds the turn's events only (session_configured belongs to the conversation).
        self.assertEqual(types[0], "task_started")
        self.assertEqual(types[-1], "task_complete")
        self.assertEqual(sum(t in ("task_complete", "turn_aborted", "error") for t in types), 1)
        deltas = "".join(e["msg"]["delta"] for e in events if e["msg"]["type"] == "agent_message_delta")
        self.assertEqual(deltas, words)
        message = next(i for i, t in enumerate(types) if t == "agent_message")
        self.assertLess(max(i for i, t in enumerate(types) if t == "agent_message_delta"), message)
        self.assertEqual(events[message]["msg"]["message"], words)
        self.assertEqual(events[-1]["msg"]["last_agent_message"], words)
        self.assertEqual(len({e["id"] for e in events}), 1, "every event carries the turn's submission id")

    async def test_turns_follow_each_other_on_one_conversation(self):
        model = scripted(response(text("first")), response(text("second")))
        codex = sdk.Codex(options=options(), model_client=model)
        conversation = await codex.start_conversation()

        first = result(await conversation.run_turn("one"))
        events = await self.drain(conversation.start_turn("two"))

        self.assertEqual(first.final_message, "first")
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "second")

    async def test_submit_and_next_event_drive_a_turn_with_ops(self):
        codex = sdk.Codex(options=options(), model_client=scripted(response(text("via ops"))))
        conversation = await codex.start_conversation()
        self.assertEqual(decode(await conversation.next_event())["msg"]["type"], "session_configured")

        op = {"type": "user_input", "items": [{"type": "text", "text": "hi"}]}
        submission = await conversation.submit(json.dumps(op))
        events = []
        while not events or events[-1]["msg"]["type"] != "task_complete":
            events.append(decode(await conversation.next_event()))

        self.assertTrue(all(e["id"] == submission for e in events))
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "via ops")

    async def test_shutdown_ends_the_conversation(self):
        codex = sdk.Codex(options=options(), model_client=scripted())
        conversation = await codex.start_conversation()

        await conversation.shutdown()

        with self.assertRaises(sdk.CodexError.Closed):
            await conversation.run_turn("anyone there?")
        self.assertIsNone(await conversation.next_event())

    async def test_many_conversations_run_at_once(self):
        import asyncio

        async def one(i):
            codex = sdk.Codex(options=options(), model_client=scripted(response(text(f"answer {i}"))))
            conversation = await codex.start_conversation()
            return result(await conversation.run_turn(f"question {i}")).final_message

        answers = await asyncio.gather(*(one(i) for i in range(8)))
        self.assertEqual(answers, [f"answer {i}" for i in range(8)])
