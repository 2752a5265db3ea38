"""Turns over HTTP beyond XCTest's (a text turn, a 401): a host tool's output sent back on the Responses API,
and a custom provider on the chat API, against the mock model server (loopback only)."""

import json

from support import result, ProofCase, options, sdk

ADD_SCHEMA = json.dumps({
    "type": "object",
    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
    "required": ["a", "b"],
})


class Add(sdk.CodexTool):
    def __init__(self):
        self.calls = []

    def name(self):
        return "add"

    def description(self):
        return "Adds two integers."

    def parameters(self):
        return ADD_SCHEMA

    async def call(self, arguments, context):
        args = json.loads(arguments)
        self.calls.append(args)
        return str(args["a"] + args["b"])


class HttpTest(ProofCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.server = await sdk.MockServer.start()

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

    async def test_a_custom_provider_with_the_chat_api(self):
        provider = {"name": "local", "base_url": self.server.base_url(), "wire_api": "chat",
                    "request_max_retries": 0}
        self.server.enqueue(sdk.MockResponse.status(400, "bad request"))
        conversation = await sdk.Codex(options=options(provider=provider, api_key="k")).start_conversation()

        with self.assertRaises(sdk.CodexError.Http) as raised:
            await conversation.run_turn("hi")

        self.assertEqual(self.server.requests()[0].path, "/v1/chat/completions")
        self.assertEqual(raised.exception.message, "HTTP 400: bad request")
