"""The blocking path and start-up: `CodexSync` without asyncio, lazy imports, plain tools' fast schema, and
where sync tools run. (No `from __future__ import annotations` here: the fast path sees real type objects.)"""

import inspect
import subprocess
import sys
from typing import Dict, List

from codex_sdk import CodexSync, ScriptedModel, ScriptedResponse, Tool, ToolContext
from codex_sdk import _native, _schema

HEAVY = ["asyncio", "ssl", "typing", "json", "re", "inspect", "dataclasses", "enum", "threading"]
"""Standard modules a script that does not use them should not pay for."""


def loaded_after(code: str) -> List[str]:
    """The modules of HEAVY and of the package that `code` loads in a fresh interpreter, beyond what the
    bare interpreter loads."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        f"print(sorted(m for m in set(sys.modules) - before if m in {HEAVY!r} or m.startswith('codex_sdk')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return eval(out)  # a printed list of names


def test_importing_the_package_loads_nothing_else():
    assert loaded_after("import codex_sdk") == ["codex_sdk"]


def test_a_blocking_turn_with_a_plain_tool_imports_neither_asyncio_nor_the_schema_machinery():
    loaded = loaded_after(
        "from codex_sdk import CodexSync, ScriptedModel, ScriptedResponse\n"
        "model = ScriptedModel([ScriptedResponse.tool_call('add', {'a': 2, 'b': 40}), ScriptedResponse.text('42')])\n"
        "codex = CodexSync(model_client=model, builtin_tools=False, ephemeral=True, cwd='/tmp')\n"
        "@codex.tool\n"
        "def add(a: int, b: int) -> int:\n"
        "    'Adds two integers.'\n"
        "    return a + b\n"
        "assert codex.start_conversation().run('2 + 40?').final_message == '42'\n"
        "assert model.requests()[1][-1]['output'] == '42'"
    )
    # (`json` is the test's own: ScriptedResponse.tool_call with a dict.)
    for module in ["asyncio", "ssl", "typing", "inspect", "dataclasses", "codex_sdk._schema", "codex_sdk._conversation"]:
        assert module not in loaded, (module, loaded)
    assert {"codex_sdk._sync", "codex_sdk._types"} <= set(loaded)


def test_the_async_api_still_uses_asyncio():
    assert "asyncio" in loaded_after("import asyncio as _; from codex_sdk import Codex; Codex().tools")


def general_path(fn) -> Dict:
    """What `_schema` (the path for any function) makes of `fn`."""
    summary, docs = _schema.parse_docstring(inspect.getdoc(fn) or "")
    return {"description": summary, "parameters": _schema._Binder(fn, docs, ToolContext).schema}


def test_plain_functions_get_the_schema_the_general_path_gives():
    def add(a: int, b: int) -> int:
        """Adds two integers.

        Twice as fast as by hand."""
        return a + b

    def mixed(text: str, ratio: float, flag: bool = False, *, anything, ctx: ToolContext, count: int = 3) -> str:
        """\tMixed parameters, defaults and a context."""
        return text

    def nothing() -> str:
        """No parameters at all."""
        return ""

    for fn in (add, mixed, nothing):
        tool = Tool(fn)
        assert tool._binder.__class__.__name__ == "_PlainBinder", fn
        assert {"description": tool.description, "parameters": tool.parameters} == general_path(fn)


def test_other_functions_take_the_general_path():
    def optional_by_default(x: int = None) -> str:  # type: ignore[assignment]
        """Optional before 3.11."""
        return ""

    def with_args_section(x: int) -> str:
        """Summary.

        Args:
            x: the number.
        """
        return ""

    def listed(xs: List[int]) -> str:
        """A generic."""
        return ""

    for fn in (optional_by_default, with_args_section, listed):
        tool = Tool(fn)
        assert tool._binder.__class__.__name__ == "_Binder", fn
        assert tool.parameters == general_path(fn)["parameters"]


def test_a_sync_tool_runs_in_place_on_the_turns_worker_and_a_parallel_one_on_the_blocking_pool():
    seen: Dict[str, str] = {}
    codex = CodexSync(
        model_client=ScriptedModel(
            [
                ScriptedResponse.tool_call("in_place", {}),
                ScriptedResponse.tool_call("pooled", {}),
                ScriptedResponse.text("done"),
            ]
        ),
        builtin_tools=False,
        ephemeral=True,
    )

    @codex.tool
    def in_place() -> str:
        """Notes where it runs."""
        seen["in_place"] = _native.host_call_site()
        return "ok"

    @codex.tool(parallel=True)
    def pooled() -> str:
        """Notes where it runs."""
        seen["pooled"] = _native.host_call_site()
        return "ok"

    assert codex.start_conversation().run("go").final_message == "done"
    assert seen == {"in_place": "worker", "pooled": "blocking pool"}


def test_ctrl_c_during_a_blocking_turn_raises_keyboard_interrupt_and_interrupts_the_turn():
    script = r"""
import os, signal, threading
from codex_sdk import CodexSync, ScriptedModel, ScriptedResponse
model = ScriptedModel([ScriptedResponse.text(" ".join(["word"] * 400))], event_delay=0.05)
conversation = CodexSync(model_client=model, builtin_tools=False, ephemeral=True).start_conversation()
threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    conversation.run("a long answer")
    print("completed")
except KeyboardInterrupt:
    model.push(ScriptedResponse.text("back"))
    print(conversation.run("again").final_message)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "back", out.stderr


def test_blocking_calls_work_inside_a_sync_tool():
    codex = CodexSync(
        model_client=ScriptedModel([ScriptedResponse.tool_call("nested", {}), ScriptedResponse.text("outer")]),
        builtin_tools=False,
        ephemeral=True,
    )
    inner = CodexSync(model_client=ScriptedModel([ScriptedResponse.text("inner")]), builtin_tools=False, ephemeral=True)

    @codex.tool
    def nested() -> str:
        """Runs a turn of another conversation from inside a tool."""
        return inner.start_conversation().run("hi").final_message or ""

    model_view = codex.codex._model_client
    assert codex.start_conversation().run("go").final_message == "outer"
    assert model_view is not None and model_view.requests()[1][-1]["output"] == "inner"



def test_the_protocol_types_are_dataclasses_made_on_demand():
    assert not {"dataclasses", "typing"} & set(loaded_after("import codex_sdk._types"))
    code = (
        "import dataclasses\n"
        "from codex_sdk import TextInput, TurnResult, TokenUsage\n"
        "t = TextInput(text='hi')\n"
        "assert dataclasses.is_dataclass(t) and dataclasses.is_dataclass(TurnResult)\n"
        "assert [(f.name, f.init) for f in dataclasses.fields(t)] == [('text', True), ('type', False)]\n"
        "assert dataclasses.asdict(t) == {'text': 'hi', 'type': 'text'} == t.to_dict()\n"
        "assert dataclasses.replace(t, text='x') == TextInput(text='x')\n"
        "assert TextInput.type == 'text' and TextInput.__match_args__ == ('text',)\n"
        "assert repr(t) == \"TextInput(text='hi', type='text')\"\n"
    )
    if sys.version_info >= (3, 10):
        code += "match t:\n    case TextInput(text):\n        assert text == 'hi'\n"
    loaded_after(code)
