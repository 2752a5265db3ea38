"""Interrupt and cancellation — what Swift's `Task` cancellation and `AsyncStream` termination rely on:
`interrupt()`, a CancelToken cancelled mid-turn (the Swift layer's `withTaskCancellationHandler`), a turn
stream closed or released mid-turn (a `break` out of `for try await`). Each time the conversation stays
usable and the next turn sees only its own events."""

import asyncio
import gc

from support import result, ProofCase, options, decode, msg_types, response, scripted, sdk, text

LONG = " ".join(f"w{i}" for i in range(300))


class CancellationTest(ProofCase):
    async def conversation(self, *extra):
        model = scripted(response(text(LONG)), *extra, event_delay_ms=5)
        codex = sdk.Codex(options=options(), model_client=model)
        return model, await codex.start_conversation()

    async def read_until_delta(self, stream):
        events = []
        while "agent_message_delta" not in msg_types(events):
            events.append(decode(await asyncio.wait_for(stream.next(), 10)))
        return events

    async def test_interrupt_aborts_the_running_turn(self):
        _, conversation = await self.conversation(response(text("after")))
        stream = conversation.start_turn("talk")
        await self.read_until_delta(stream)

        await conversation.interrupt()
        rest = await self.drain(stream)

        self.assertEqual(rest[-1]["msg"], {"type": "turn_aborted", "reason": "interrupted"})
        self.assertEqual(result(await conversation.run_turn("again")).final_message, "after")

    async def test_run_turn_fails_with_interrupted_when_interrupted_from_elsewhere(self):
        _, conversation = await self.conversation()
        running = asyncio.ensure_future(conversation.run_turn("talk"))
        await asyncio.sleep(0.1)

        await conversation.interrupt()

        with self.assertRaises(sdk.CodexError.Interrupted):
            await asyncio.wait_for(running, 10)

    async def test_a_cancelled_token_interrupts_run_turn_and_the_next_turn_is_clean(self):
        model, conversation = await self.conversation(response(text("second turn")))
        token = sdk.CancelToken()
        running = asyncio.ensure_future(conversation.run_turn("talk", cancel=token))
        await asyncio.sleep(0.1)

        token.cancel()

        with self.assertRaises(sdk.CodexError.Interrupted):
            await asyncio.wait_for(running, 10)
        self.assertTrue(token.is_cancelled())
        events = await self.drain(conversation.start_turn("again"))
        self.assertEqual(msg_types(events)[0], "task_started", "no leftovers of the cancelled turn")
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "second turn")
        self.assertEqual(model.remaining(), 0)

    async def test_a_token_cancelled_before_the_call_sends_nothing(self):
        model, conversation = await self.conversation()
        token = sdk.CancelToken()
        token.cancel()

        with self.assertRaises(sdk.CodexError.Interrupted):
            await conversation.run_turn("talk", cancel=token)

        await asyncio.sleep(0.05)
        self.assertEqual(model.request_count(), 0)

    async def test_cancelling_the_host_task_interrupts_the_turn(self):
        _, conversation = await self.conversation(response(text("still usable")))
        running = asyncio.ensure_future(conversation.run_turn("talk"))
        await asyncio.sleep(0.1)

        running.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await running

        result_ = result(await asyncio.wait_for(conversation.run_turn("again"), 10))
        self.assertEqual(result_.final_message, "still usable")

    async def test_closing_a_turn_stream_interrupts_the_turn(self):
        _, conversation = await self.conversation(response(text("next")))
        stream = conversation.start_turn("talk")
        await self.read_until_delta(stream)

        stream.close()

        self.assertIsNone(await asyncio.wait_for(stream.next(), 10))
        events = await self.drain(conversation.start_turn("again"))
        self.assertEqual(msg_types(events)[0], "task_started")
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "next")

    async def test_releasing_a_turn_stream_interrupts_the_turn(self):
        _, conversation = await self.conversation(response(text("next")))
        stream = conversation.start_turn("talk")
        await self.read_until_delta(stream)

        del stream
        gc.collect()

        result_ = result(await asyncio.wait_for(conversation.run_turn("again"), 10))
        self.assertEqual(result_.final_message, "next")

    async def test_a_cancelled_token_stops_next_event(self):
        _, conversation = await self.conversation()
        await conversation.next_event()  # session_configured; nothing else comes without input
        token = sdk.CancelToken()
        waiting = asyncio.ensure_future(conversation.next_event(cancel=token))
        await asyncio.sleep(0.05)

        token.cancel()

        with self.assertRaises(sdk.CodexError.Interrupted):
            await asyncio.wait_for(waiting, 10)
