"""The synchronous facade: the async API run on a private event loop thread.

For scripts and notebooks (it works where an event loop is already running, since it never runs one on
the caller's thread). Ctrl-C while waiting cancels the call, which interrupts a running turn.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, Awaitable, Callable, Coroutine, Dict, Iterator, List, Optional, TypeVar, Union

from ._codex import ApprovalCallback, Codex, TelemetryCallback
from ._conversation import Conversation, ConversationTools, RunResult
from ._convert import Input
from ._tools import Tool
from ._types import Event, EventMsg, Op

T = TypeVar("T")


class _LoopThread:
    """An event loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        thread = threading.Thread(target=self.loop.run_forever, name="codex-sdk-sync", daemon=True)
        thread.start()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise


_runner: Optional[_LoopThread] = None
_runner_lock = threading.Lock()


def _loop_thread() -> _LoopThread:
    global _runner
    with _runner_lock:
        if _runner is None or _runner.pid != os.getpid():
            # First use, or a forked child (the parent's loop thread does not exist here).
            _runner = _LoopThread()
        return _runner


def run_sync(awaitable: Awaitable[T]) -> T:
    """Runs a coroutine of the async API to completion from synchronous code."""

    async def wrap() -> T:
        return await awaitable

    return _loop_thread().call(wrap())


class ConversationSync:
    """A `Conversation` with blocking methods."""

    def __init__(self, conversation: Conversation):
        self.conversation = conversation
        """The async conversation underneath."""
        self.tools: ConversationTools = conversation.tools
        """The conversation's tools."""

    @property
    def id(self) -> str:
        """The conversation's id."""
        return self.conversation.id

    @property
    def rollout_path(self) -> Optional[str]:
        """The file the conversation is recorded in (None when ephemeral)."""
        return self.conversation.rollout_path

    def run(self, input: Input) -> RunResult:
        """Runs a turn and returns its result."""
        return run_sync(self.conversation.run(input))

    def stream(self, input: Input) -> Iterator[EventMsg]:
        """Starts a turn and yields its events; leaving the loop early interrupts the turn."""

        async def start() -> Any:
            return self.conversation.stream(input)

        turn = run_sync(start())
        try:
            while True:
                chunk: List[EventMsg] = run_sync(turn._next_chunk())
                if not chunk:
                    return
                yield from chunk
        finally:
            turn.close()

    def events(self) -> Iterator[Event]:
        """Every event of the conversation (for hosts driving it with `submit`), until it ends."""
        stream = self.conversation.events()
        while True:
            try:
                yield run_sync(stream.__anext__())
            except StopAsyncIteration:
                return

    def submit(self, op: Union[Op, Dict[str, Any]]) -> str:
        """Submits an `Op`; returns its submission id."""
        return run_sync(self.conversation.submit(op))

    def interrupt(self) -> None:
        """Interrupts the running turn."""
        run_sync(self.conversation.interrupt())

    def shutdown(self) -> None:
        """Ends the conversation."""
        run_sync(self.conversation.shutdown())


class CodexSync:
    """`Codex` for synchronous code: the same settings, tools and approval callback (which may be sync or
    `async def`), with blocking methods."""

    def __init__(self, **settings: Any):
        self.codex = Codex(**settings)
        """The async `Codex` underneath."""

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
        run_sync(self.codex.shutdown())

    def telemetry_stats(self) -> Dict[str, int]:
        """As `Codex.telemetry_stats`."""
        return self.codex.telemetry_stats()

    def start_conversation(self) -> ConversationSync:
        """Starts a conversation."""
        return ConversationSync(run_sync(self.codex.start_conversation()))

    def resume_conversation(self, path: "os.PathLike[str] | str") -> ConversationSync:
        """Resumes a recorded conversation."""
        return ConversationSync(run_sync(self.codex.resume_conversation(path)))

    def fork_conversation(self, path: "os.PathLike[str] | str", nth_user_message: int) -> ConversationSync:
        """Forks a recorded conversation before its `nth_user_message`-th user message."""
        return ConversationSync(run_sync(self.codex.fork_conversation(path, nth_user_message)))

    def list_conversations(self, page_size: int = 20, cursor: Optional[str] = None) -> Any:
        """One page of recorded conversations, newest first."""
        return run_sync(self.codex.list_conversations(page_size, cursor))
