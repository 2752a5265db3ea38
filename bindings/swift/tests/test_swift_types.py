"""The generated Swift Codable types against the schema and against real events: every event the suite
sees is checked by support.decode(); here, coverage of the generator and the checker itself."""

import json
import unittest

import gen_types
from support import MODEL, PACKAGE, SCHEMA, ProofCase, check, options, response, scripted, sdk, text

GENERATED = (PACKAGE / "Sources" / "CodexSDK" / "Generated" / "Protocol.swift").read_text()


class SwiftTypesTest(ProofCase):
    def test_every_event_variant_is_a_swift_case(self):
        tags = {v["properties"]["type"]["const"] for v in SCHEMA["$defs"]["EventMsg"]["oneOf"]}
        variants = {v.tag: v.case for v in MODEL["EventMsg"].variants}
        self.assertEqual(set(variants), tags)
        for tag, case in variants.items():
            self.assertIn(f'case "{tag}":', GENERATED)
            self.assertRegex(GENERATED, rf"\n    case {case}[(\n]")

    def test_every_definition_has_a_swift_type(self):
        for name in SCHEMA["$defs"]:
            self.assertRegex(GENERATED, rf"public (struct|enum|typealias) {name}\b")

    def test_the_checked_in_file_is_what_the_generator_writes(self):
        self.assertEqual(gen_types.render_swift(gen_types.build_model(SCHEMA)), GENERATED)

    def test_the_checker_rejects_what_swift_would_not_decode(self):
        event = gen_types.TypeRef("ref", "Event")
        good = {"id": "1", "msg": {"type": "agent_message_delta", "delta": "hi"}}
        self.assertEqual(check(good, event), [])
        self.assertTrue(check({"id": "1", "msg": {"type": "agent_message_delta"}}, event))
        self.assertTrue(check({"id": "1", "msg": {"type": "no_such_event"}}, event))
        self.assertTrue(check({"id": "1", "msg": {"type": "token_count", "info": {"x": 1}}}, event))
        self.assertEqual(check({"id": "1", "msg": {"type": "shutdown_complete"}}, event), [])

    def test_defaults_fill_absent_fields(self):
        policy = gen_types.TypeRef("ref", "SandboxPolicy")
        self.assertEqual(check({"mode": "workspace-write"}, policy), [])
        variant = next(v for v in MODEL["SandboxPolicy"].variants if v.tag == "workspace-write")
        self.assertEqual({f.swift_name: f.default for f in variant.fields},
                         {"excludeSlashTmp": "false", "excludeTmpdirEnvVar": "false", "networkAccess": "false", "writableRoots": "[]"})

    async def test_ops_written_by_swift_are_taken_by_the_sdk(self):
        # What the generated encoder writes for `.userTurn(cwd:items:model:)`: the tag beside the fields,
        # defaults written out, nil optionals left out.
        op = {"type": "user_turn", "cwd": "/tmp", "items": [{"type": "text", "text": "hi"}],
              "model": "gpt-test", "summary": "auto"}
        self.assertEqual(check(op, gen_types.TypeRef("ref", "Op")), [])
        self.assertIn('try tags.encode("user_turn", forKey: .tag)', GENERATED)
        codex = sdk.Codex(options=options(), model_client=scripted(response(text("ok"))))
        conversation = await codex.start_conversation()

        submission = await conversation.submit(json.dumps(op))
        events = []
        while not events or events[-1]["msg"]["type"] != "task_complete":
            events.append(json.loads(await conversation.next_event()))

        self.assertEqual(events[-1]["id"], submission)


if __name__ == "__main__":
    unittest.main()
