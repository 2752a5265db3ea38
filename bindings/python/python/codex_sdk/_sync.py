"""The synchronous facade: `CodexSync` and `ConversationSync` call the native module's blocking methods,
which wait on the core's runtime with the GIL released — no event loop, no asyncio import.

For scripts and notebooks: it works where an event loop is already running, since it never runs one on
the caller's thread (coroutines of `async def` tools and callbacks run with `asyncio.run` on a worker
thread). Ctrl-C while waiting raises `KeyboardInterrupt` and interrupts a running turn. `run_sync` runs
any coroutine of the async API, on a private event loop thread started on first use.
"""

from __future__ import annotations

import _thread
import os

from . import _native
from ._codex import Codex, _page
from ._convert import input_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Awaitable, Callable, Coroutine, Dict, Iterator, List, Optional, TypeVar, Union

    from ._codex import ApprovalCallback, TelemetryCallback
    from ._conversation import Conversation, ConversationTools, RunResult
    from ._convert import Input
    from ._tools import Tool
    from ._types import Event, EventMsg, Op

    T = TypeVar("T")

_BATCH = 4096
"""Most events handed over per crossing of the native boundary."""


class _LoopThread:
    """An event loop running forever on a daemon thread (for `run_sync`)."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.run_coroutine_threadsafe = asyncio.run_coroutine_threadsafe
        thread = threading.Thread(target=self.loop.run_forever, name="codex-sdk-sync", daemon=True)
        thread.start()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        future = self.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise


_runner: Optional[_LoopThread] = None
_runner_lock = _thread.allocate_lock()  # `_thread` is built in: no `threading` import until a loop is needed


def _loop_thread() -> _LoopThread:
    global _runner
    with _runner_lock:
        if _runner is None or _runner.pid != os.getpid():
            # First use, or a forked child (the parent's loop thread does not exist here).
            _runner = _LoopThread()
        return _runner


def run_sync(awaitable: Awaitable[T]) -> T:
    """Runs a coroutine of the async API to completion from synchronous code (on a private event loop
    thread)."""

    async def wrap() -> T:
        return await awaitable

    return _loop_thread().call(wrap())


class ConversationSync:
    """A conversation with blocking methods."""

    def __init__(self, conversation: Union[Conversation, _native.Conversation]):
        if isinstance(conversation, _native.Conversation):
            self._native = conversation
            self._conversation: Optional[Conversation] = None
        else:
            self._native = conversation._native
            self._conversation = conversation
        self._tools: Optional[ConversationTools] = None

    @property
    def conversation(self) -> Conversation:
        """The async `Conversation` over the same conversation."""
        if self._conversation is None:
            from ._conversation import Conversation

            self._conversation = Conversation(self._native)
        return self._conversation

    @property
    def tools(self) -> ConversationTools:
        """The conversation's tools."""
        if self._tools is None:
            self._tools = self.conversation.tools
        return self._tools

    @property
    def id(self) -> str:
        """The conversation's id."""
        return self._native.id

    @property
    def rollout_path(self) -> Optional[str]:
        """The file the conversation is recorded in (None when ephemeral)."""
        import json

        path = json.loads(self._native.session_configured).get("rollout_path")
        return None if path is None else str(path)

    def run(self, input: Input) -> RunResult:
        """Runs a turn and returns its result (`TurnResult`). Ctrl-C interrupts the turn."""
        from ._types import TurnResult

        return TurnResult.from_dict(self._native.run_blocking(input_value(input)))

    def stream(self, input: Input) -> Iterator[EventMsg]:
        """Starts a turn and yields its events; leaving the loop early interrupts the turn."""
        import json

        from ._types import event_msg_from_dict

        turn = self._native.stream_blocking(input_value(input))
        try:
            done = False
            while not done:
                text, done = turn.try_next_batch(_BATCH) or turn.next_batch_blocking(_BATCH)
                for event in json.loads(text):
                    yield event_msg_from_dict(event)
        finally:
            turn.close()

    def events(self) -> Iterator[Event]:
        """Every event of the conversation (for hosts driving it with `submit`), until it ends."""
        import json

        from ._types import Event

        while True:
            text = self._native.next_events_blocking(_BATCH)
            if text is None:
                return
            for event in json.loads(text):
                yield Event.from_dict(event)

    def submit(self, op: Union[Op, Dict[str, Any]]) -> str:
        """Submits an `Op`; returns its submission id."""
        return self._native.submit_blocking(op)

    def interrupt(self) -> None:
        """Interrupts the running turn."""
        self._native.interrupt_blocking()

    def shutdown(self) -> None:
        """Ends the conversation."""
        self._native.shutdown_blocking()

    def __repr__(self) -> str:
        return f"ConversationSync(id={self.id!r})"


class CodexSync:
    """`Codex` for synchronous code: the same settings, tools and approval callback (which may be sync or
    `async def`), with blocking methods."""

    def __init__(self, **settings: Any):
        self.codex = Codex(**settings)
        """The async `Codex` underneath (same settings, tools and callbacks)."""

    @property
    def tools(self) -> List[Tool]:
        """The tools every new conversation starts with."""
        return self.codex.tools

    def tool(self, fn: Optional[Callable[..., Any]] = None, **options: Any) -> Any:
        """Decorator: as `Codex.tool`."""
        return self.codex.tool(fn, **options) if fn is not None else self.codex.tool(**options)

    def on_approval(self, fn: ApprovalCallback) -> ApprovalCallback:
        """Decorator: as `Codex.on_approval`."""
        return self.codex.on_approval(fn)

    def on_telemetry(self, fn: TelemetryCallback) -> TelemetryCallback:
        """Decorator: as `Codex.on_telemetry`."""
        return self.codex.on_telemetry(fn)

    def shutdown(self) -> None:
        """Flushes telemetry: as `Codex.shutdown`."""
        if self.codex._native is not None:
            self.codex._native.shutdown_blocking()

    def telemetry_stats(self) -> Dict[str, int]:
        """As `Codex.telemetry_stats`."""
        return self.codex.telemetry_stats()

    def start_conversation(self) -> ConversationSync:
        """Starts a conversation."""
        return ConversationSync(self.codex.native.start_conversation_blocking())

    def resume_conversation(self, path: "os.PathLike[str] | str") -> ConversationSync:
        """Resumes a recorded conversation."""
        return ConversationSync(self.codex.native.resume_conversation_blocking(os.fspath(path)))

    def fork_conversation(self, path: "os.PathLike[str] | str", nth_user_message: int) -> ConversationSync:
        """Forks a recorded conversation before its `nth_user_message`-th user message."""
        return ConversationSync(self.codex.native.fork_conversation_blocking(os.fspath(path), nth_user_message))

    def list_conversations(self, page_size: int = 20, cursor: Optional[str] = None) -> Any:
        """One page of recorded conversations, newest first."""
        return _page(self.codex.native.list_conversations_blocking(page_size, cursor))
