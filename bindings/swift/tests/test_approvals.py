"""Approvals through the ApprovalHandler foreign trait: the built-in shell asks before `touch` under the
`untrusted` policy; the host's async decision runs it, denies it, or fails closed."""

import asyncio
import contextlib
import io
import json
import tempfile
from pathlib import Path

from support import ProofCase, call, options, response, scripted, sdk, text


class Decide(sdk.ApprovalHandler):
    def __init__(self, decision=None, error=None, delay=0.0):
        self.decision, self.error, self.delay = decision, error, delay
        self.requests = []

    async def decide(self, request):
        self.requests.append(request)
        await asyncio.sleep(self.delay)  # a real await on the host's loop (a UI prompt would be here)
        if self.error is not None:
            raise self.error
        return json.dumps(self.decision)


class ApprovalsTest(ProofCase):
    async def turn(self, handler):
        workdir = tempfile.TemporaryDirectory()
        self.addCleanup(workdir.cleanup)
        model = scripted(
            response(call("shell", {"command": ["touch", "approved.txt"]})),
            response(text("finished")),
        )
        settings = options(
            builtin_tools=True,
            cwd=workdir.name,
            approval_policy="untrusted",
            sandbox_policy="danger-full-access",
        )
        codex = sdk.Codex(options=settings, approval_handler=handler, model_client=model)
        conversation = await codex.start_conversation()
        events = await self.drain(conversation.start_turn("touch it"))
        return events, Path(workdir.name) / "approved.txt"

    async def test_an_approved_command_runs(self):
        handler = Decide("approved", delay=0.01)

        events, touched = await self.turn(handler)

        self.assertEqual(len(handler.requests), 1)
        request = handler.requests[0]
        self.assertTrue(request.is_exec())
        exec_request = json.loads(request.request)
        self.assertEqual(exec_request["command"], ["touch", "approved.txt"])
        asked = [e["msg"] for e in events if e["msg"]["type"] == "exec_approval_request"]
        self.assertEqual(asked[0]["call_id"], exec_request["call_id"])
        self.assertTrue(touched.exists())
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "finished")

    async def test_a_denied_command_does_not_run_and_the_turn_goes_on(self):
        events, touched = await self.turn(Decide("denied"))

        self.assertFalse(touched.exists())
        ends = [e["msg"] for e in events if e["msg"]["type"] == "tool_call_end"]
        self.assertFalse(ends[0]["success"])
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")

    async def test_abort_ends_the_turn_as_interrupted(self):
        events, touched = await self.turn(Decide("abort"))

        self.assertFalse(touched.exists())
        self.assertEqual(events[-1]["msg"], {"type": "turn_aborted", "reason": "interrupted"})

    async def test_a_handler_that_throws_means_denied(self):
        with contextlib.redirect_stderr(io.StringIO()) as log:
            events, touched = await self.turn(Decide(error=RuntimeError("the UI crashed")))

        self.assertIn("RuntimeError: the UI crashed", log.getvalue())
        self.assertFalse(touched.exists())
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")

    async def test_an_unknown_decision_means_denied(self):
        events, touched = await self.turn(Decide("maybe"))

        self.assertFalse(touched.exists())
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")
