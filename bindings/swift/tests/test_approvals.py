"""Approvals through the ApprovalHandler foreign trait, what XCTest (Tests/CodexSDKTests/ApprovalTests.swift)
cannot reach: a decision Swift's `ReviewDecision` enum could not express fails closed."""

import asyncio
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

    async def test_an_unknown_decision_means_denied(self):
        events, touched = await self.turn(Decide("maybe"))

        self.assertFalse(touched.exists())
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")
