"""Real turns over HTTP: the SDK's Responses client against the mock model server (loopback only)."""

import json

from support import result, ProofCase, options, sdk
from test_tools import Add


class HttpTest(ProofCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.server = await sdk.MockServer.start()

    async def test_a_text_turn_over_http(self):
        self.server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("resp_1", "Hello over HTTP.")))
        conversation = await sdk.Codex(
            options=options(base_url=self.server.base_url(), api_key="sk-test", model="gpt-test"),
        ).start_conversation()

        events = await self.drain(conversation.start_turn("hi"))

        self.assertEqual(events[-1]["msg"]["last_agent_message"], "Hello over HTTP.")
        deltas = "".join(e["msg"]["delta"] for e in events if e["msg"]["type"] == "agent_message_delta")
        self.assertEqual(deltas, "Hello over HTTP.")
        [request] = self.server.requests()
        self.assertEqual((request.method, request.path), ("POST", "/v1/responses"))
        body = json.loads(request.body)
        self.assertEqual(body["model"], "gpt-test")
        self.assertEqual(body["input"][-1]["content"][0]["text"], "hi")

    async def test_a_host_tool_over_http(self):
        add = Add()
        self.server.enqueue(sdk.MockResponse.sse(
            sdk.sse_tool_call_response("resp_1", "call_1", "add", json.dumps({"a": 20, "b": 22}))))
        self.server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("resp_2", "42")))
        codex = sdk.Codex(options=options(base_url=self.server.base_url(), api_key="sk-test"), tools=[add])
        conversation = await codex.start_conversation()

        result_ = result(await conversation.run_turn("add them"))

        self.assertEqual(result_.final_message, "42")
        self.assertEqual(add.calls, [{"a": 20, "b": 22}])
        second = json.loads(self.server.requests()[1].body)
        outputs = [i for i in second["input"] if i["type"] == "function_call_output"]
        self.assertEqual((outputs[0]["call_id"], outputs[0]["output"]), ("call_1", "42"))

    async def test_a_rejected_key_is_unauthorized(self):
        self.server.enqueue(sdk.MockResponse.status(401, '{"error": {"message": "bad key"}}'))
        conversation = await sdk.Codex(
            options=options(base_url=self.server.base_url(), api_key="sk-wrong"),
        ).start_conversation()

        with self.assertRaises(sdk.CodexError.Unauthorized) as raised:
            await conversation.run_turn("hi")

        self.assertIn("401", raised.exception.message)

    async def test_a_custom_provider_with_the_chat_api(self):
        provider = {"name": "local", "base_url": self.server.base_url(), "wire_api": "chat",
                    "request_max_retries": 0}
        self.server.enqueue(sdk.MockResponse.status(400, "bad request"))
        conversation = await sdk.Codex(options=options(provider=provider, api_key="k")).start_conversation()

        with self.assertRaises(sdk.CodexError.Http) as raised:
            await conversation.run_turn("hi")

        self.assertEqual(self.server.requests()[0].path, "/v1/chat/completions")
        self.assertEqual(raised.exception.message, "HTTP 400: bad request")
