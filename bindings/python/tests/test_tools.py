"""Python functions as tools: sync and async, schemas from type hints, exceptions to the model."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import threading
from typing import Annotated, Dict, List, Literal, Mapping, Optional, Sequence

import pytest

from codex_sdk import (
    ScriptedResponse,
    Tool,
    ToolCallEndEvent,
    ToolContext,
)

from .conftest import scripted


def tool_outputs(requests: List[List[dict]]) -> List[str]:
    """The function-call outputs in the history of the last request, in order."""
    return [item["output"] for item in requests[-1] if item.get("type") == "function_call_output"]


async def test_a_sync_tool_runs_on_a_worker_thread_and_its_result_reaches_the_model():
    codex, model = scripted(
        ScriptedResponse.tool_call("add", {"a": 2, "b": 3}),
        ScriptedResponse.text("2 + 3 = 5"),
        builtin_tools=False,
    )
    threads = []

    @codex.tool
    def add(a: int, b: int) -> int:
        """Adds two integers."""
        threads.append(threading.current_thread())
        return a + b

    assert add(1, 1) == 2, "the decorator returns the function unchanged"
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("What is 2 + 3?")]
    (end,) = [e for e in events if isinstance(e, ToolCallEndEvent)]
    assert (end.tool, end.output, end.success) == ("add", "5", True)
    assert threads[-1] is not threading.main_thread()
    assert tool_outputs(model.requests()) == ["5"]
    assert events[-1].last_agent_message == "2 + 3 = 5"


async def test_an_async_tool_runs_on_the_event_loop_driving_the_conversation():
    codex, model = scripted(
        ScriptedResponse.tool_call("fetch", {"key": "x"}),
        ScriptedResponse.text("done"),
        builtin_tools=False,
    )
    loops = []

    @codex.tool
    async def fetch(key: str) -> Dict[str, str]:
        """Looks a key up."""
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return {"key": key, "value": "42"}

    conversation = await codex.start_conversation()
    result = await conversation.run("fetch x")
    assert result.final_message == "done"
    assert loops == [asyncio.get_running_loop()]
    assert tool_outputs(model.requests()) == ['{"key": "x", "value": "42"}']


async def test_a_tool_that_raises_tells_the_model_and_the_turn_goes_on():
    codex, model = scripted(
        ScriptedResponse.tool_call("explode", {}),
        ScriptedResponse.text("it failed, sorry"),
        builtin_tools=False,
    )

    @codex.tool
    def explode() -> str:
        """Always fails."""
        raise ValueError("boom")

    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("try it")]
    (end,) = [e for e in events if isinstance(e, ToolCallEndEvent)]
    assert end.success is False
    assert end.output == "ValueError: boom"
    assert tool_outputs(model.requests()) == ["ValueError: boom"]
    assert events[-1].last_agent_message == "it failed, sorry"


async def test_an_async_tool_that_raises_tells_the_model():
    codex, model = scripted(ScriptedResponse.tool_call("later", {}), ScriptedResponse.text("ok"), builtin_tools=False)

    @codex.tool
    async def later() -> str:
        """Fails after a while."""
        await asyncio.sleep(0)
        raise RuntimeError("not now")

    conversation = await codex.start_conversation()
    await conversation.run("go")
    assert tool_outputs(model.requests()) == ["RuntimeError: not now"]


async def test_bad_arguments_are_answered_to_the_model():
    codex, model = scripted(
        ScriptedResponse.tool_call("add", {"a": 1}),
        ScriptedResponse.tool_call("add", {"a": 1, "b": 2, "c": 3}),
        ScriptedResponse.text("ok"),
        builtin_tools=False,
    )

    @codex.tool
    def add(a: int, b: int) -> int:
        """Adds."""
        return a + b

    conversation = await codex.start_conversation()
    await conversation.run("go")
    assert tool_outputs(model.requests()) == [
        "TypeError: missing required argument: b",
        "TypeError: unexpected arguments: c",
    ]


async def test_tools_can_be_registered_and_unregistered_between_turns():
    codex, model = scripted(
        ScriptedResponse.tool_call("shout", {"text": "hi"}),
        ScriptedResponse.text("HI"),
        ScriptedResponse.text("plain"),
        builtin_tools=False,
    )
    conversation = await codex.start_conversation()

    def shout(text: str) -> str:
        """Upper-cases text."""
        return text.upper()

    tool = conversation.tools.register(shout)
    assert conversation.tools.names() == ["shout"]
    assert (await conversation.run("shout hi")).final_message == "HI"
    assert tool_outputs(model.requests()) == ["HI"]
    assert conversation.tools.unregister(tool.name)
    assert conversation.tools.names() == []
    await conversation.run("again")


async def test_a_tool_can_ask_for_its_context():
    codex, _ = scripted(ScriptedResponse.tool_call("where", {}), ScriptedResponse.text("ok"), builtin_tools=False)
    seen = {}

    @codex.tool
    def where(ctx: ToolContext) -> str:
        """Reports where it runs."""
        seen.update(conversation=ctx.conversation_id, cwd=ctx.cwd, cancelled=ctx.cancelled)
        return ctx.cwd

    conversation = await codex.start_conversation()
    await conversation.run("where?")
    assert seen == {"conversation": conversation.id, "cwd": "/tmp", "cancelled": False}
    assert "ctx" not in codex.tools[0].parameters["properties"]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


def test_the_schema_comes_from_type_hints_and_the_docstring():
    def paint(
        points: List[Point],
        color: Color,
        mode: Literal["fill", "stroke"] = "fill",
        label: Optional[str] = None,
        tags: Dict[str, int] = {},  # noqa: B006 - a default for the schema only
    ) -> str:
        """Paints points.

        Longer explanation.

        Args:
            points: Where to paint.
            color: Which color.
            mode: How to paint,
                filled or not.
        """
        return ""

    tool = Tool(paint)
    assert tool.name == "paint"
    assert tool.description == "Paints points.\n\nLonger explanation."
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "points": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                    "required": ["x"],
                },
                "description": "Where to paint.",
            },
            "color": {"enum": ["red", "blue"], "type": "string", "description": "Which color."},
            "mode": {"enum": ["fill", "stroke"], "type": "string", "description": "How to paint, filled or not."},
            "label": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "tags": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
        "required": ["points", "color"],
    }


def test_abstract_collections_are_arrays_and_objects():
    def tally(words: Sequence[str], weights: Mapping[str, float]) -> str:
        """Tallies."""
        return ""

    assert Tool(tally).parameters["properties"] == {
        "words": {"type": "array", "items": {"type": "string"}},
        "weights": {"type": "object", "additionalProperties": {"type": "number"}},
    }


def test_sphinx_docstrings_and_annotated_descriptions():
    def search(query: str, limit: Annotated[int, "How many results"] = 10) -> str:
        """Searches the index.

        :param query: What to look for.
        """
        return ""

    tool = Tool(search, name="find")
    assert tool.name == "find"
    assert tool.description == "Searches the index."
    assert tool.parameters["properties"] == {
        "query": {"type": "string", "description": "What to look for."},
        "limit": {"type": "integer", "description": "How many results"},
    }


async def test_arguments_are_converted_to_the_annotated_types():
    codex, _ = scripted(
        ScriptedResponse.tool_call("paint", {"points": [{"x": 1, "y": 2}], "color": "red"}),
        ScriptedResponse.text("ok"),
        builtin_tools=False,
    )
    received = []

    @codex.tool
    def paint(points: List[Point], color: Color, named: Optional[Dict[str, Point]] = None, n: int = 0) -> str:
        """Paints."""
        received.append((points, color, named, n))
        return "painted"

    conversation = await codex.start_conversation()
    await conversation.run("paint")
    assert received == [([Point(1, 2)], Color.RED, None, 0)]
    assert codex.tools[0]._binder.bind({"points": [], "color": "blue", "named": {"a": {"x": 3}}}, None)["named"] == {
        "a": Point(3)
    }


try:
    import pydantic

    class Order(pydantic.BaseModel):
        item: str
        quantity: int = 1

except ImportError:  # pydantic is optional; its test is skipped
    pydantic = None  # type: ignore[assignment]


@pytest.mark.skipif(pydantic is None, reason="pydantic is not installed")
async def test_a_pydantic_model_parameter_is_the_arguments_object():
    codex, model = scripted(
        ScriptedResponse.tool_call("order", {"item": "tea", "quantity": 2}),
        ScriptedResponse.text("ok"),
        builtin_tools=False,
    )

    @codex.tool
    def order(order: Order) -> Order:
        """Places an order."""
        return order

    assert codex.tools[0].parameters == Order.model_json_schema()
    conversation = await codex.start_conversation()
    await conversation.run("order tea")
    assert tool_outputs(model.requests()) == ['{"item":"tea","quantity":2}']


def test_an_unsupported_annotation_fails_at_decoration():
    class Opaque:
        pass

    def use(thing: Opaque) -> str:
        """Uses a thing."""
        return ""

    with pytest.raises(TypeError, match="cannot derive a JSON schema"):
        Tool(use)
