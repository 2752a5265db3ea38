"""Typed errors beyond XCTest's ErrorTests.swift: one CodexError case per error code (checked against the
schema), bad protocol JSON, the error event's code, errors as exceptions with their message."""

import json

from support import SCHEMA, ProofCase, options, scripted, sdk


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class ErrorsTest(ProofCase):
    def test_one_case_per_error_code(self):
        codes = {v["const"] for v in SCHEMA["$defs"]["ErrorCode"]["oneOf"]}
        cases = {
            snake(name) for name, value in vars(sdk.CodexError).items()
            if isinstance(value, type) and issubclass(value, Exception)
        }
        self.assertEqual(cases, codes)

    async def test_bad_json_for_a_protocol_value_is_invalid_input(self):
        codex = sdk.Codex(options=options(), model_client=scripted())
        conversation = await codex.start_conversation()

        with self.assertRaises(sdk.CodexError.InvalidInput) as raised:
            await conversation.submit(json.dumps({"type": "no_such_op"}))

        self.assertIn("invalid Op", raised.exception.message)

    async def test_the_error_event_carries_the_same_code(self):
        codex = sdk.Codex(options=options(), model_client=scripted())
        conversation = await codex.start_conversation()

        events = await self.drain(conversation.start_turn("hello?"))

        self.assertEqual(events[-1]["msg"]["type"], "error")
        self.assertEqual(events[-1]["msg"]["code"], "internal")

    def test_errors_are_exceptions_with_a_message(self):
        error = sdk.CodexError.RateLimited(message="slow down")
        self.assertIsInstance(error, sdk.CodexError)
        self.assertIsInstance(error, Exception)
        self.assertEqual(error.message, "slow down")
