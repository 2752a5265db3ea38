"""The event listener (a foreign trait): a whole turn, in order, then onEnd; a listener that throws."""

import asyncio

from support import result, Listener, ProofCase, options, msg_types, response, scripted, sdk, text


class ListenerTest(ProofCase):
    async def test_listener_receives_the_whole_turn_in_order_then_the_end(self):
        words = "alpha beta gamma delta"
        model = scripted(response(text(words)), event_delay_ms=1)
        codex = sdk.Codex(options=options(), model_client=model)
        conversation = await codex.start_conversation()
        listener = Listener()

        subscription = conversation.subscribe("go", listener)
        error = await asyncio.wait_for(listener.ended, 10)

        self.assertIsNone(error)
        types = msg_types(listener.events)
        self.assertEqual(types[0], "task_started")
        self.assertEqual(types[-1], "task_complete")
        deltas = [e["msg"]["delta"] for e in listener.events if e["msg"]["type"] == "agent_message_delta"]
        self.assertEqual("".join(deltas), words)
        self.assertEqual(deltas, ["alpha ", "beta ", "gamma ", "delta"], "deltas arrive in order")
        del subscription

    async def test_a_listener_that_throws_stops_and_interrupts_the_turn(self):
        model = scripted(response(text("never finished")), response(text("next turn")), event_delay_ms=2)
        codex = sdk.Codex(options=options(), model_client=model)
        conversation = await codex.start_conversation()
        listener = Listener(fail_on="task_started")

        subscription = conversation.subscribe("go", listener)
        error = await asyncio.wait_for(listener.ended, 10)

        self.assertIsInstance(error, sdk.CodexError.Internal)
        self.assertIn("listener refused task_started", error.message)
        self.assertNotIn("task_complete", msg_types(listener.events))
        # The abandoned turn was interrupted; the conversation goes on with the next one.
        result_ = result(await asyncio.wait_for(conversation.run_turn("again"), 10))
        self.assertEqual(result_.final_message, "next turn")
        del subscription

    async def test_cancelling_the_subscription_ends_it_with_interrupted(self):
        model = scripted(response(text(" ".join(["word"] * 200))), event_delay_ms=5)
        codex = sdk.Codex(options=options(), model_client=model)
        conversation = await codex.start_conversation()
        listener = Listener()

        subscription = conversation.subscribe("talk", listener)
        while "agent_message_delta" not in msg_types(listener.events):
            await asyncio.sleep(0.01)
        subscription.cancel()
        error = await asyncio.wait_for(listener.ended, 10)

        self.assertIsInstance(error, sdk.CodexError.Interrupted)
        self.assertNotIn("task_complete", msg_types(listener.events))
