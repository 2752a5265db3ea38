"""The README's parity rows that the other proof files do not already cover: sessions, config.toml and
auth.json, account helpers, the default model, unified exec, token formatting, review and compaction, the
tool context (call id, approvals keyed by it, cancellation) and a shutdown that waits."""

import asyncio
import gc
import json
import os
import stat
import tempfile
from pathlib import Path

from support import ProofCase, call, options, response, result, scripted, sdk, text


class Deploy(sdk.CodexTool):
    """Asks for approval of `deploy prod` and returns the decision."""

    def __init__(self):
        self.call_ids = []

    def name(self):
        return "deploy"

    def description(self):
        return "Deploys."

    def parameters(self):
        return json.dumps({"type": "object", "properties": {}})

    async def call(self, arguments, context):
        self.call_ids.append(context.call_id())
        return json.loads(await context.request_approval(["deploy", "prod"]))


class Answer(sdk.ApprovalHandler):
    def __init__(self, decision):
        self.decision = decision
        self.asked = []

    async def decide(self, request):
        self.asked.append(json.loads(request.request)["call_id"])
        return json.dumps(self.decision)


class ParityTest(ProofCase):
    def home(self) -> str:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name

    def test_config_toml_and_auth_json_load_with_overrides(self):
        home = self.home()
        Path(home, "config.toml").write_text('model = "from-file"\n')
        self.assertEqual(sdk.Codex(options=options(codex_home=home, load_config=True)).model(), "from-file")
        overridden = options(codex_home=home, load_config=True, config_overrides=['model="from-override"'])
        self.assertEqual(sdk.Codex(options=overridden).model(), "from-override")
        self.assertNotEqual(sdk.Codex(options=options(codex_home=home)).model(), "from-file")

    def test_login_status_email_logout(self):
        home = self.home()
        self.assertFalse(json.loads(sdk.auth_status(home))["has_api_key"])
        sdk.login_api_key("sk-test", home)
        status = json.loads(sdk.auth_status(home))
        self.assertEqual((status["has_api_key"], status["auth_mode"], status.get("email")), (True, "apikey", None))
        self.assertEqual(stat.S_IMODE(os.stat(Path(home, "auth.json")).st_mode), 0o600)
        self.assertTrue(sdk.logout(home))
        self.assertFalse(sdk.logout(home))

    def test_set_default_model_is_what_load_config_reads(self):
        home = self.home()
        sdk.set_default_model("gpt-5", json.dumps("high"), home)
        self.assertEqual(sdk.Codex(options=options(codex_home=home, load_config=True)).model(), "gpt-5")

    async def test_unified_exec_is_a_setting(self):
        on = sdk.Codex(options=options(builtin_tools=True, use_experimental_unified_exec_tool=True), model_client=scripted())
        self.assertIn("unified_exec", (await on.start_conversation()).tool_names())
        off = sdk.Codex(options=options(builtin_tools=True), model_client=scripted())
        self.assertNotIn("unified_exec", (await off.start_conversation()).tool_names())

    def test_token_formatting(self):
        self.assertEqual(sdk.format_tokens_exact(1234567), "1,234,567")
        self.assertEqual(sdk.format_tokens_compact(999), "999")
        self.assertTrue(sdk.format_tokens_compact(12345).endswith("K"))

    async def until_complete(self, conversation) -> list:
        kinds = []
        while (event := await asyncio.wait_for(conversation.next_event(), 10)) is not None:
            kinds.append(json.loads(event)["msg"]["type"])
            if kinds[-1] == "task_complete":
                break
        return kinds

    async def test_compaction_and_review_are_ops(self):
        review = json.dumps({"findings": [], "overall_correctness": "ok", "overall_explanation": "fine",
                             "overall_confidence_score": 0.9})
        model = scripted(response(text("hello")), response(text("a summary")), response(text(review)))
        conversation = await sdk.Codex(options=options(), model_client=model).start_conversation()
        await conversation.run_turn("hi")
        await conversation.submit(json.dumps({"type": "compact"}))
        self.assertIn("context_compaction_end", await self.until_complete(conversation))
        await conversation.submit(json.dumps({"type": "review", "review_request": {"prompt": "review it", "user_facing_hint": "it"}}))
        kinds = await self.until_complete(conversation)
        self.assertIn("entered_review_mode", kinds)
        self.assertIn("exited_review_mode", kinds)

    async def test_sessions_start_resume_fork_list_find_archive_unarchive(self):
        home = self.home()
        model = scripted(response(text("a1")), response(text("a2")), response(text("a3")))
        codex = sdk.Codex(options=options(codex_home=home, cwd="/tmp"), model_client=model)
        conversation = await codex.start_conversation()
        await conversation.run_turn("q1")
        await conversation.shutdown()
        path = await codex.find_conversation_path(conversation.id())
        self.assertTrue(path and Path(path).is_file())
        resumed = await codex.resume_conversation(path)
        self.assertEqual(resumed.id(), conversation.id())
        self.assertEqual(result(await resumed.run_turn("q2")).final_message, "a2")
        await resumed.shutdown()
        fork = await codex.fork_conversation(path, 1)
        self.assertNotEqual(fork.id(), conversation.id())
        await fork.shutdown()
        page = json.loads(await codex.list_conversations(1))
        self.assertEqual(len(page["items"]), 1)
        second = json.loads(await codex.list_conversations(10, page["next_cursor"]))
        listed = {item["conversation_id"] for item in page["items"] + second["items"]}
        self.assertEqual(listed, {conversation.id(), fork.id()})
        archived = await codex.archive_conversation(conversation.id(), path)
        self.assertFalse(Path(path).exists())
        self.assertIsNone(await codex.find_conversation_path(conversation.id()))
        self.assertTrue(Path(await codex.unarchive_conversation(conversation.id(), archived)).is_file())

    async def test_a_tool_gets_its_call_id_and_approvals_are_keyed_by_it_and_remembered(self):
        deploy, answer = Deploy(), Answer("approved_for_session")
        model = scripted(response(call("deploy", {})), response(call("deploy", {})), response(text("ok")))
        codex = sdk.Codex(options=options(), tools=[deploy], approval_handler=answer, model_client=model)
        conversation = await codex.start_conversation()
        await conversation.run_turn("deploy twice")
        self.assertEqual(len(deploy.call_ids), 2)
        self.assertNotEqual(deploy.call_ids[0], deploy.call_ids[1])
        self.assertEqual(answer.asked, deploy.call_ids[:1])

    async def test_an_aborted_approval_ends_the_turn(self):
        model = scripted(response(call("deploy", {})), response(text("never")))
        codex = sdk.Codex(options=options(), tools=[Deploy()], approval_handler=Answer("abort"), model_client=model)
        conversation = await codex.start_conversation()
        with self.assertRaises(sdk.CodexError.Interrupted):
            await conversation.run_turn("deploy")

    async def test_a_tool_learns_that_its_turn_was_interrupted(self):
        seen = asyncio.get_running_loop().create_future()

        class Wait(Deploy):
            def name(self):
                return "wait"

            async def call(self, arguments, context):
                # Watched from a task of its own: the call itself is cancelled with its turn.
                watch = asyncio.ensure_future(context.wait_cancelled())
                watch.add_done_callback(lambda done: seen.set_result(done.result()))
                await conversation.interrupt()
                await asyncio.sleep(3600)
                return "stopped"

        model = scripted(response(call("wait", {})), response(text("after")))
        codex = sdk.Codex(options=options(), tools=[Wait()], model_client=model)
        conversation = await codex.start_conversation()
        with self.assertRaises(sdk.CodexError.Interrupted):
            await conversation.run_turn("wait")
        self.assertTrue(await asyncio.wait_for(seen, 10))

    async def test_codex_shutdown_ends_a_turn_blocked_in_a_tool(self):
        started = asyncio.get_running_loop().create_future()

        class Wait(Deploy):
            def name(self):
                return "wait"

            async def call(self, arguments, context):
                started.set_result(True)
                await asyncio.sleep(3600)
                return "never"

        model = scripted(response(call("wait", {})), response(text("after")))
        codex = sdk.Codex(options=options(), tools=[Wait()], model_client=model)
        conversation = await codex.start_conversation()
        turn = asyncio.ensure_future(conversation.run_turn("wait"))
        await asyncio.wait_for(started, 10)
        await asyncio.wait_for(codex.shutdown(), 10)
        with self.assertRaises(sdk.CodexError.Interrupted):
            await asyncio.wait_for(turn, 10)

    async def test_a_conversation_outlives_the_codex_object_that_started_it(self):
        codex = sdk.Codex(options=options(), model_client=scripted(response(text("still here"))))
        conversation = await codex.start_conversation()
        del codex
        gc.collect()
        self.assertEqual(result(await conversation.run_turn("hi")).final_message, "still here")

    async def test_shutdown_waits_until_the_rollout_is_written_out(self):
        home = self.home()
        codex = sdk.Codex(options=options(codex_home=home, cwd="/tmp"), model_client=scripted(response(text("recorded answer"))))
        conversation = await codex.start_conversation()
        await conversation.run_turn("hi")
        await conversation.shutdown()
        path = json.loads(conversation.session_configured())["rollout_path"]
        lines = Path(path).read_text().splitlines()
        self.assertTrue(any("recorded answer" in line for line in lines))
        for line in lines:
            json.loads(line)
        with self.assertRaises(sdk.CodexError.Closed):
            await conversation.shutdown()


def home_with_profile(root: str, base_url: str) -> tuple[str, str]:
    """A CODEX_HOME pointing at the mock server with a `fast` profile, a global AGENTS.md, and a repository
    with its own AGENTS.md."""
    home, repo = Path(root, "home"), Path(root, "repo")
    home.mkdir()
    (repo / ".git").mkdir(parents=True)
    (home / "config.toml").write_text(
        'model = "gpt-4.1"\nmodel_provider = "mock"\n\n[model_providers.mock]\nname = "mock"\n'
        f'base_url = "{base_url}"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n')
    (home / "fast.config.toml").write_text(
        'model = "gpt-5"\nmodel_reasoning_effort = "minimal"\nmodel_verbosity = "low"\n\n[tools]\nweb_search = true\n')
    (home / "AGENTS.md").write_text("Always answer in French.\n")
    (repo / "AGENTS.md").write_text("Run the tests first.\n")
    return str(home), str(repo)


class ConfigTomlTest(ProofCase):
    async def test_config_toml_a_profile_and_agents_md_reach_the_request(self):
        server = await sdk.MockServer.start()
        server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("r1", "ok")))
        server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("r2", "ok")))
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        home, repo = home_with_profile(directory.name, server.base_url())
        base = dict(codex_home=home, load_config=True, cwd=repo, api_key="test-key")
        codex = sdk.Codex(options=options(**base, profile="fast", model_max_output_tokens=99, user_instructions="Be brief."))
        await (await codex.start_conversation()).run_turn("hi")
        body = json.loads(server.requests()[0].body)
        self.assertEqual((body["model"], body["reasoning"]["effort"], body["text"]), ("gpt-5", "minimal", {"verbosity": "low"}))
        self.assertEqual(body["max_output_tokens"], 99)
        self.assertIn({"type": "web_search"}, body["tools"])
        instructions = body["input"][0]["content"][0]["text"]
        for expected in ("Always answer in French.", "Be brief.", "Run the tests first."):
            self.assertIn(expected, instructions)

        quiet = sdk.Codex(options=options(**base, no_project_docs=True, web_search=False))
        await (await quiet.start_conversation()).run_turn("hi")
        body = json.loads(server.requests()[1].body)
        self.assertEqual(body["model"], "gpt-4.1")
        self.assertFalse(body.get("tools"))
        self.assertNotIn("French", json.dumps(body["input"]))

        with self.assertRaisesRegex(sdk.CodexError.InvalidInput, "fast"):
            sdk.Codex(options=options(**base, profile="nope"))


def mcp_test_server() -> str:
    """The core's rmcp test server (`codex-sdk/examples/mcp_test_server.rs`), built with cargo if needed (into
    CARGO_TARGET_DIR, as the core's own tests build it)."""
    import subprocess

    repo = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        ["cargo", "build", "--quiet", "-p", "codex-agent-sdk", "--features", "testing", "--example", "mcp_test_server",
         "--message-format", "json"],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "mcp_test_server":
            return message["executable"]
    raise AssertionError("cargo built no mcp_test_server executable")


class Approve(sdk.ApprovalHandler):
    def __init__(self):
        self.asked = []

    async def decide(self, request):
        self.asked.append(request)
        return json.dumps("approved")


class Collect(sdk.TelemetryListener):
    def __init__(self):
        self.events = []

    async def on_event(self, event):
        self.events.append(json.loads(event))


class McpAndTelemetryTest(ProofCase):
    async def test_an_mcp_server_s_tools_run_through_a_turn_with_approval_and_elicitation(self):
        approve = Approve()
        model = scripted(response(call("test__echo", {"text": "hello from mcp"})), response(call("test__ask", {})),
                         response(text("done")))
        servers = {"test": {"command": mcp_test_server(), "args": ["stdio"]}}
        codex = sdk.Codex(options=options(approval_policy="on-request", mcp_servers=servers),
                          approval_handler=approve, model_client=model)
        conversation = await codex.start_conversation()
        stream = conversation.start_turn("go")
        ends = []
        while (event := await asyncio.wait_for(stream.next(), 60)) is not None:
            msg = json.loads(event)["msg"]
            if msg["type"] == "mcp_elicitation_request":
                self.assertEqual((msg["server"], msg["message"]), ("test", "What is your name?"))
                await conversation.submit(json.dumps({"type": "resolve_mcp_elicitation", "server": msg["server"],
                                                      "request_id": msg["request_id"], "action": "accept",
                                                      "content": {"name": "Ada"}}))
            elif msg["type"] == "mcp_tool_call_end":
                ends.append(msg)
        for request in approve.asked:
            self.assertIsInstance(request, sdk.ApprovalRequest.MCP_TOOL_CALL)
        invocations = [json.loads(request.request)["invocation"] for request in approve.asked]
        self.assertEqual([(i["server"], i["tool"]) for i in invocations], [("test", "echo"), ("test", "ask")])
        self.assertEqual([(e["invocation"]["tool"], e["result"]["type"]) for e in ends],
                         [("echo", "response"), ("ask", "response")])
        self.assertEqual(ends[0]["result"]["content"], [{"type": "text", "text": "hello from mcp"}])
        self.assertEqual(json.loads(ends[1]["result"]["content"][0]["text"])["content"], {"name": "Ada"})

    async def test_telemetry_events_reach_the_listener_redacted_and_shutdown_flushes(self):
        key = "sk-telemetry-secret-1234"
        server = await sdk.MockServer.start()
        server.enqueue(sdk.MockResponse.sse(sdk.sse_tool_call_response("r1", "call_1", "deploy", json.dumps({"key": key}))))
        server.enqueue(sdk.MockResponse.sse(sdk.sse_text_response("r2", "done")))
        collect = Collect()
        provider = {"name": "mock", "base_url": server.base_url(), "wire_api": "responses", "request_max_retries": 0}
        codex = sdk.Codex(options=options(provider=provider, api_key=key, cwd="/tmp"), tools=[Deploy()],
                          approval_handler=Answer("approved"), telemetry_listener=collect)
        conversation = await codex.start_conversation()
        await conversation.run_turn(f"my key is {key}")
        await codex.shutdown()
        names = {event["kind"]["name"] for event in collect.events}
        self.assertEqual(names, {"codex.api_request", "codex.sse_event", "codex.user_prompt",
                                 "codex.tool_decision", "codex.tool_result"})
        self.assertTrue(all(e["metadata"]["conversation_id"] == conversation.id() for e in collect.events))
        self.assertNotIn(key, json.dumps(collect.events))
        self.assertEqual(codex.telemetry_stats(), sdk.TelemetryStats(exported=0, dropped=0, failed=0, host_dropped=0))
