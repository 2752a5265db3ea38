"""The offline scripted model: turns from a script instead of an API (tests, demos without a key)."""

from __future__ import annotations

from . import _native
from ._convert import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Optional, Union

    from ._types import ErrorCode, ResponseItem, TokenUsage


class ScriptedResponse:
    """One scripted model response: messages, reasoning, tool calls, optionally ending in a failure.
    Immutable: each method returns a new response."""

    __slots__ = ("native",)

    def __init__(self, native: Optional[_native.ScriptedResponse] = None):
        self.native = native if native is not None else _native.ScriptedResponse()

    @staticmethod
    def text(text: str) -> "ScriptedResponse":
        """A response holding one assistant message (streamed as word-sized deltas)."""
        return ScriptedResponse(_native.ScriptedResponse.text(text))

    @staticmethod
    def tool_call(name: str, arguments: Union[Dict[str, Any], str]) -> "ScriptedResponse":
        """A response holding one function call (`arguments` as an object, or raw JSON text)."""
        return ScriptedResponse(_native.ScriptedResponse.tool_call(name, _arguments(arguments)))

    @staticmethod
    def failure(code: ErrorCode, message: str = "") -> "ScriptedResponse":
        """A response whose request fails with an error of this code."""
        return ScriptedResponse(_native.ScriptedResponse.failure(code, message))

    def message(self, text: str) -> "ScriptedResponse":
        """Adds an assistant message."""
        return ScriptedResponse(self.native.message(text))

    def reasoning(self, summary: str) -> "ScriptedResponse":
        """Adds a reasoning summary."""
        return ScriptedResponse(self.native.reasoning(summary))

    def function_call(self, name: str, arguments: Union[Dict[str, Any], str]) -> "ScriptedResponse":
        """Adds a function call (`arguments` as an object, or raw JSON text, possibly malformed)."""
        return ScriptedResponse(self.native.function_call(name, _arguments(arguments)))

    def item(self, item: Union[ResponseItem, Dict[str, Any]]) -> "ScriptedResponse":
        """Adds any history item."""
        return ScriptedResponse(self.native.item(dumps(item)))

    def usage(self, usage: Union[TokenUsage, Dict[str, Any]]) -> "ScriptedResponse":
        """Reports this token usage on completion."""
        return ScriptedResponse(self.native.usage(dumps(usage)))

    def then_fail(self, code: ErrorCode, message: str = "") -> "ScriptedResponse":
        """After the items, the stream fails with an error of this code."""
        return ScriptedResponse(self.native.then_fail(code, message))


def _arguments(arguments: Union[Dict[str, Any], str]) -> str:
    if isinstance(arguments, str):
        return arguments
    import json

    return json.dumps(arguments)


class ScriptedModel:
    """A model that answers each request with the next `ScriptedResponse`; pass it as
    `Codex(model_client=...)`. When the script runs out, requests fail (`InternalError`)."""

    __slots__ = ("native",)

    def __init__(self, responses: Iterable[ScriptedResponse] = (), *, event_delay: Optional[float] = None):
        self.native = _native.ScriptedModel([r.native for r in responses], event_delay)

    def push(self, response: ScriptedResponse) -> None:
        """Appends a response to the script."""
        self.native.push(response.native)

    @property
    def remaining(self) -> int:
        """Responses not played yet."""
        return self.native.remaining

    def requests(self) -> List[List[Dict[str, Any]]]:
        """The input items of every request so far (JSON form), one list per request."""
        return self.native.requests()
