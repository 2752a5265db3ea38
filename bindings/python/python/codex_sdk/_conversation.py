"""`Conversation`: run turns, stream their events, submit ops, interrupt."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, AsyncIterator, Dict, List, Optional, Union

from . import _native
from ._convert import dumps, input_json
from ._types import (
    Event,
    EventMsg,
    Op,
    SessionConfiguredEvent,
    TurnResult,
    event_msg_from_dict,
)

if TYPE_CHECKING:
    from ._convert import Input
    from ._tools import Tool

_loads = json.loads
_BATCH = 4096
"""Most events handed over per crossing of the native boundary."""


RunResult = TurnResult
"""What a completed turn produced (the core's `TurnResult`)."""


class TurnStream:
    """The events of one turn, as an async iterator ending after the turn's terminal event
    (`TaskCompleteEvent`, `TurnAbortedEvent` or `ErrorEvent`).

    Leaving it early — `break`, a cancelled task, `aclose()`, leaving `async with` — interrupts the turn.
    """

    __slots__ = ("_native", "_events", "_index", "_done")

    def __init__(self, native: _native.TurnStream):
        self._native = native
        self._events: List[EventMsg] = []
        self._index = 0
        self._done = False

    def __aiter__(self) -> "TurnStream":
        return self

    async def __anext__(self) -> EventMsg:
        index = self._index
        if index < len(self._events):
            self._index = index + 1
            return self._events[index]
        if self._done:
            raise StopAsyncIteration
        batch = self._native.try_next_batch(_BATCH)
        if batch is None:
            batch = await self._native.next_batch(_BATCH)
        text, self._done = batch
        self._events = events = [event_msg_from_dict(d) for d in _loads(text)]
        if not events:
            raise StopAsyncIteration
        self._index = 1
        return events[0]

    async def _next_chunk(self) -> List[EventMsg]:
        """The events buffered so far, waiting for one when none is (empty at the end). For the sync
        facade, which crosses threads once per chunk rather than once per event."""
        rest = self._events[self._index :]
        self._events, self._index = [], 0
        if rest or self._done:
            return rest
        batch = self._native.try_next_batch(_BATCH) or await self._native.next_batch(_BATCH)
        text, self._done = batch
        return [event_msg_from_dict(d) for d in _loads(text)]

    async def aclose(self) -> None:
        """Stops the stream; the turn is interrupted unless it has already ended."""
        self._done = True
        self._native.close()

    def close(self) -> None:
        """As `aclose`, from synchronous code."""
        self._done = True
        self._native.close()

    async def __aenter__(self) -> "TurnStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


class EventStream:
    """Every event of the conversation (`Event`: submission id and message), until it ends. For hosts that
    drive it with `submit` and read the protocol directly."""

    __slots__ = ("_native", "_events")

    def __init__(self, native: _native.Conversation):
        self._native = native
        self._events: List[Event] = []

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> Event:
        if not self._events:
            text = await self._native.next_events(_BATCH)
            if text is None:
                raise StopAsyncIteration
            self._events = [Event.from_dict(d) for d in _loads(text)]
            self._events.reverse()
        return self._events.pop()


class ConversationTools:
    """The tools of one conversation; register or unregister between turns."""

    def __init__(self, native: _native.Conversation):
        self._native = native

    def register(self, tool: Union["Tool", Any]) -> "Tool":
        """Registers a `Tool`, or a function (made into one from its type hints and docstring)."""
        from ._tools import Tool

        if not isinstance(tool, Tool):
            tool = Tool(tool)
        self._native.register_tool(tool.native)
        return tool

    def unregister(self, name: str) -> bool:
        """Unregisters a tool; returns whether it was registered."""
        return self._native.unregister_tool(name)

    def names(self) -> List[str]:
        """The registered tools' names."""
        return self._native.tool_names()


class Conversation:
    """One conversation. Turns run one at a time; `run` and `stream` wait for a running turn to end."""

    def __init__(self, native: _native.Conversation):
        self._native = native
        self.tools = ConversationTools(native)
        """The conversation's tools."""

    @property
    def id(self) -> str:
        """The conversation's id."""
        return self._native.id

    @property
    def rollout_path(self) -> Optional[str]:
        """The file the conversation is recorded in (None when ephemeral)."""
        return self.session_configured.rollout_path

    @property
    def session_configured(self) -> SessionConfiguredEvent:
        """The `SessionConfigured` event (the first event of the conversation)."""
        return SessionConfiguredEvent.from_dict(_loads(self._native.session_configured))

    async def run(self, input: Input) -> TurnResult:
        """Runs a turn and returns its result. Cancelling the awaiting task interrupts the turn.

        Raises the `CodexError` subclass of the failure's `ErrorCode` (`CodexInterruptedError` when the
        turn is interrupted)."""
        return TurnResult.from_dict(_loads(await self._native.run(input_json(input))))

    def stream(self, input: Input) -> TurnStream:
        """Starts a turn and returns its events (`async for event in conversation.stream(...)`)."""
        return TurnStream(self._native.stream(input_json(input)))

    def events(self) -> EventStream:
        """Every event of the conversation, for hosts driving it with `submit`."""
        return EventStream(self._native)

    async def submit(self, op: Union[Op, Dict[str, Any]]) -> str:
        """Submits an `Op`; returns its submission id (the events it causes carry it)."""
        return await self._native.submit(dumps(op))

    async def interrupt(self) -> None:
        """Interrupts the running turn; the conversation stays usable."""
        await self._native.interrupt()

    async def shutdown(self) -> None:
        """Ends the conversation and waits until it has (`ShutdownCompleteEvent`; the rollout is written
        out first). Raises `IoError` when the rollout could not be written."""
        await self._native.shutdown()

    def __repr__(self) -> str:
        return f"Conversation(id={self.id!r})"
