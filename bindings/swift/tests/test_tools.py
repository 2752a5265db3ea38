"""Host tools through the CodexTool foreign trait: a call and its output, one that throws (the model is told
and the turn goes on), a fatal one, registration."""

import contextlib
import io
import json

from support import result, ProofCase, call, options, msg_types, response, scripted, sdk, text

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


class Failing(sdk.CodexTool):
    """Throws what it is given."""

    def __init__(self, name, error):
        self._name, self.error = name, error

    def name(self):
        return self._name

    def description(self):
        return "Always fails."

    def parameters(self):
        return json.dumps({"type": "object", "properties": {}})

    async def call(self, arguments, context):
        raise self.error


def tool_ends(events):
    return [e["msg"] for e in events if e["msg"]["type"] == "tool_call_end"]


class ToolsTest(ProofCase):
    async def test_the_model_calls_a_host_tool_and_sees_its_output(self):
        add = Add()
        model = scripted(response(call("add", {"a": 2, "b": 40})), response(text("It is 42.")))
        codex = sdk.Codex(options=options(), tools=[add], model_client=model)
        conversation = await codex.start_conversation()

        events = await self.drain(conversation.start_turn("What is 2 + 40?"))

        self.assertEqual(add.calls, [{"a": 2, "b": 40}])
        types = msg_types(events)
        self.assertLess(types.index("tool_call_begin"), types.index("tool_call_end"))
        end = tool_ends(events)[0]
        self.assertEqual((end["tool"], end["output"], end["success"]), ("add", "42", True))
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "It is 42.")

    async def test_a_tool_error_is_told_to_the_model_and_the_turn_goes_on(self):
        failing = Failing("lookup", sdk.ToolError.Failed(message="no such record"))
        model = scripted(response(call("lookup", {})), response(text("Sorry, not found.")))
        codex = sdk.Codex(options=options(), tools=[failing], model_client=model)
        conversation = await codex.start_conversation()

        events = await self.drain(conversation.start_turn("find it"))

        end = tool_ends(events)[0]
        self.assertEqual((end["output"], end["success"]), ("no such record", False))
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")
        self.assertEqual(events[-1]["msg"]["last_agent_message"], "Sorry, not found.")

    async def test_an_unexpected_exception_is_told_to_the_model_too(self):
        failing = Failing("flaky", ValueError("disk on fire"))
        model = scripted(response(call("flaky", {})), response(text("It failed.")))
        codex = sdk.Codex(options=options(), tools=[failing], model_client=model)
        conversation = await codex.start_conversation()

        # uniffi's Python glue logs the unexpected exception (the path a Swift `throw` of any error takes).
        with contextlib.redirect_stderr(io.StringIO()) as log:
            events = await self.drain(conversation.start_turn("try"))

        self.assertIn("ValueError: disk on fire", log.getvalue())
        end = tool_ends(events)[0]
        self.assertFalse(end["success"])
        self.assertIn("disk on fire", end["output"])
        self.assertEqual(events[-1]["msg"]["type"], "task_complete")

    async def test_a_fatal_tool_error_ends_the_turn_with_a_tool_error(self):
        failing = Failing("guard", sdk.ToolError.Fatal(message="policy violation"))
        model = scripted(response(call("guard", {})), response(text("unreachable")))
        codex = sdk.Codex(options=options(), tools=[failing], model_client=model)
        conversation = await codex.start_conversation()

        with self.assertRaises(sdk.CodexError.Tool) as raised:
            await conversation.run_turn("go")

        self.assertIn("policy violation", raised.exception.message)

    async def test_tools_register_and_unregister_between_turns(self):
        model = scripted(response(call("add", {"a": 1, "b": 1})), response(text("2")))
        codex = sdk.Codex(options=options(), model_client=model)
        conversation = await codex.start_conversation()
        add = Add()

        conversation.register_tool(add)
        self.assertEqual(conversation.tool_names(), ["add"])
        result_ = result(await conversation.run_turn("1 + 1?"))
        self.assertEqual(result_.final_message, "2")
        self.assertEqual(add.calls, [{"a": 1, "b": 1}])
        self.assertTrue(conversation.unregister_tool("add"))
        self.assertEqual(conversation.tool_names(), [])

    async def test_bad_tools_are_invalid_input(self):
        with self.assertRaises(sdk.CodexError.InvalidInput):
            sdk.Codex(options=options(), tools=[Add(), Add()])

        class BadSchema(Add):
            def parameters(self):
                return "{not json"

        with self.assertRaises(sdk.CodexError.InvalidInput):
            sdk.Codex(options=options(), tools=[BadSchema()])
