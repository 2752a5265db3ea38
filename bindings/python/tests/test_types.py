"""The generated protocol types: a union per tagged enum, round trips, and no drift from the schema."""

from __future__ import annotations

import importlib.util
import sys
import typing
from pathlib import Path

from codex_sdk import types
from codex_sdk._types import (
    AgentMessageDeltaEvent,
    EventMsg,
    ExecApprovalOp,
    FunctionCallItem,
    ReadOnlyPolicy,
    ShutdownCompleteEvent,
    TextInput,
    TokenCountEvent,
    TokenUsage,
    TokenUsageInfo,
    UserInputOp,
    WorkspaceWritePolicy,
    event_msg_from_dict,
    op_from_dict,
    response_item_from_dict,
)

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "codex_sdk"
GENERATOR = Path(__file__).resolve().parents[1] / "scripts" / "gen_types.py"


def test_the_generated_files_match_the_schema(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("gen_types", GENERATOR)
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_types"] = gen
    spec.loader.exec_module(gen)
    for path in gen.generate(gen.DEFAULT_SCHEMA, tmp_path):
        assert path.read_text() == (PACKAGE / path.name).read_text(), (
            f"{path.name} is out of date: run scripts/gen_types.py"
        )


def test_event_msg_is_a_union_discriminated_on_type():
    variants = typing.get_args(EventMsg)
    assert len(variants) > 20
    tags = [v.__dataclass_fields__["type"].default for v in variants]
    assert len(set(tags)) == len(tags)
    assert event_msg_from_dict({"type": "agent_message_delta", "delta": "x"}) == AgentMessageDeltaEvent(delta="x")
    assert event_msg_from_dict({"type": "shutdown_complete"}) == ShutdownCompleteEvent()


def test_nested_values_round_trip():
    event = TokenCountEvent(
        info=TokenUsageInfo(
            total_token_usage=TokenUsage(1, 0, 2, 0, 3),
            last_token_usage=TokenUsage(1, 0, 2, 0, 3),
            model_context_window=1000,
        ),
        rate_limits=None,
    )
    assert event_msg_from_dict(event.to_dict()) == event
    item = FunctionCallItem(name="add", arguments="{}", call_id="c1")
    assert response_item_from_dict(item.to_dict()) == item
    op = UserInputOp(items=[TextInput(text="hi")])
    assert op.to_dict() == {"type": "user_input", "items": [{"type": "text", "text": "hi"}]}
    assert op_from_dict(op.to_dict()) == op
    assert ExecApprovalOp(id="c1", decision="denied").to_dict() == {"type": "exec_approval", "id": "c1", "decision": "denied"}
    assert ReadOnlyPolicy().to_dict() == {"mode": "read-only"}
    assert WorkspaceWritePolicy().to_dict() == {
        "mode": "workspace-write",
        "network_access": False,
        "writable_roots": [],
        "exclude_slash_tmp": False,
        "exclude_tmpdir_env_var": False,
    }


def test_the_types_module_exports_the_vocabulary():
    assert "EventMsg" in types.__all__ and "Op" in types.__all__ and "ResponseItem" in types.__all__
