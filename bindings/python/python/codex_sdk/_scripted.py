"""The offline scripted model: turns from a script instead of an API (tests, demos without a key)."""

from __future__ import annotations

import os

from . import _native
from ._convert import dumps, to_jsonable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

    from ._types import ErrorCode, ResponseItem, TokenUsage


class ScriptedResponse:
    """One scripted model response: messages, reasoning, tool calls, optionally ending in a failure.
    Immutable: each method returns a new response. Its steps are the core's `ScriptedStep`s."""

    __slots__ = ("steps",)

    def __init__(self, steps: Tuple[Dict[str, Any], ...] = ()):
        self.steps = steps

    @staticmethod
    def text(text: str) -> "ScriptedResponse":
        """A response holding one assistant message (streamed as word-sized deltas)."""
        return ScriptedResponse().message(text)

    @staticmethod
    def tool_call(name: str, arguments: Union[Dict[str, Any], str]) -> "ScriptedResponse":
        """A response holding one function call (`arguments` as an object, or raw JSON text)."""
        return ScriptedResponse().function_call(name, arguments)

    @staticmethod
    def failure(code: ErrorCode, message: str = "") -> "ScriptedResponse":
        """A response whose request fails with an error of this code."""
        return ScriptedResponse().with_step(type="fail", code=code, message=message)

    def message(self, text: str) -> "ScriptedResponse":
        """Adds an assistant message."""
        return self.with_step(type="message", text=text)

    def reasoning(self, summary: str) -> "ScriptedResponse":
        """Adds a reasoning summary."""
        return self.with_step(type="reasoning", text=summary)

    def function_call(self, name: str, arguments: Union[Dict[str, Any], str]) -> "ScriptedResponse":
        """Adds a function call (`arguments` as an object, or raw JSON text, possibly malformed)."""
        if isinstance(arguments, str):
            return self.with_step(type="raw_function_call", name=name, arguments=arguments)
        return self.with_step(type="function_call", name=name, arguments=arguments)

    def item(self, item: Union[ResponseItem, Dict[str, Any]]) -> "ScriptedResponse":
        """Adds any history item."""
        return self.with_step(type="item", item=to_jsonable(item))

    def usage(self, usage: Union[TokenUsage, Dict[str, Any]]) -> "ScriptedResponse":
        """Reports this token usage on completion."""
        return self.with_step(type="usage", usage=to_jsonable(usage))

    def then_fail(self, code: ErrorCode, message: str = "") -> "ScriptedResponse":
        """After the items, the stream fails with an error of this code."""
        return self.with_step(type="then_fail", code=code, message=message)

    def with_step(self, **step: Any) -> "ScriptedResponse":
        """This response with one more step (a `ScriptedStep` as keywords)."""
        return ScriptedResponse(self.steps + (step,))


class ScriptedModel:
    """A model that answers each request with the next `ScriptedResponse`; pass it as
    `Codex(model_client=...)`. When the script runs out, requests fail (`InternalError`)."""

    __slots__ = ("native",)

    def __init__(self, responses: Iterable[ScriptedResponse] = (), *, event_delay: Optional[float] = None):
        spec: Dict[str, Any] = {"responses": [list(r.steps) for r in responses]}
        if event_delay is not None:
            spec["event_delay_ms"] = round(event_delay * 1000)
        self.native = _native.ScriptedModel(dumps(spec))

    def push(self, response: ScriptedResponse) -> None:
        """Appends a response to the script."""
        self.native.push(dumps(list(response.steps)))

    @property
    def remaining(self) -> int:
        """Responses not played yet."""
        return self.native.remaining

    def requests(self) -> List[List[Dict[str, Any]]]:
        """The input items of every request so far (JSON form), one list per request."""
        return self.native.requests()


class ReplayModel:
    """A model that replays the responses recorded in a rollout, in order, so a recorded conversation
    re-runs offline with the same tool calls; pass it as `Codex(model_client=...)`. Each request is
    checked against the recording: the first difference fails the turn with `ReplayDivergedError`, whose
    message names it (also kept in `divergence`)."""

    __slots__ = ("native",)

    def __init__(self, native: _native.ReplayModel):
        self.native = native

    @staticmethod
    def from_rollout(path: Union[str, "os.PathLike[str]"]) -> "ReplayModel":
        """Replays the rollout file at `path` (`Conversation.rollout_path` of the recorded run)."""
        return ReplayModel(_native.ReplayModel.from_rollout(os.fspath(path)))

    @staticmethod
    async def from_conversation(codex: Any, conversation_id: str) -> "ReplayModel":
        """Replays the conversation `conversation_id` recorded by `codex` (a `Codex`, not ephemeral)."""
        return ReplayModel(await _native.ReplayModel.from_conversation(codex.native, conversation_id))

    @property
    def remaining(self) -> int:
        """Recorded responses not served yet."""
        return self.native.remaining

    @property
    def divergence(self) -> Optional[str]:
        """Where the replay first differed from its recording (None while it matches)."""
        return self.native.divergence
