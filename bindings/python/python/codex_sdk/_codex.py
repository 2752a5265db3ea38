"""`Codex`: configuration, host tools and the approval callback; starts conversations."""

from __future__ import annotations

import os

from . import _native
from ._convert import to_jsonable
from ._tools import Tool, is_coroutine_function

# Imported lazily (start-up time): `typing`, the generated types, `json`, `inspect`, the conversation module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Awaitable, Callable, Dict, List, Optional, Union, overload

    from ._conversation import Conversation
    from ._scripted import ReplayModel, ScriptedModel
    from ._types import (
        ApplyPatchApprovalRequestEvent,
        CodexOptions,
        ExecApprovalRequestEvent,
        McpToolCallApprovalRequestEvent,
        ReviewDecision,
    )

    ApprovalRequest = Union[ExecApprovalRequestEvent, ApplyPatchApprovalRequestEvent, McpToolCallApprovalRequestEvent]
    """What needs the host's approval: a command, a patch, or a call of an MCP server's tool."""
    Decision = Union[ReviewDecision, bool]
    """An approval answer: a `ReviewDecision`, or `True` (approved) / `False` (denied)."""
    ApprovalCallback = Callable[[ApprovalRequest], Union[Decision, Awaitable[Decision]]]
    TelemetryEvent = Dict[str, Any]
    """One telemetry event, redacted: `timestamp`, `metadata` (conversation id, model, app version, …) and
    `kind`, whose `name` is the catalog's (`codex.api_request`, `codex.sse_event`, `codex.user_prompt`,
    `codex.tool_decision`, `codex.tool_result`) beside that event's fields."""
    TelemetryCallback = Callable[[TelemetryEvent], Union[None, Awaitable[None]]]
    PathLike = Union[str, "os.PathLike[str]"]
else:

    def overload(fn):
        return fn


def __getattr__(name: str) -> Any:
    """The type aliases (`ApprovalRequest`, `Decision`, ...), built on first use (they need `typing` and the
    generated types)."""
    if name not in ("ApprovalRequest", "Decision", "ApprovalCallback", "TelemetryEvent", "TelemetryCallback", "PathLike"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from typing import Any, Awaitable, Callable, Dict, Union

    from . import _types

    request = Union[
        _types.ExecApprovalRequestEvent, _types.ApplyPatchApprovalRequestEvent, _types.McpToolCallApprovalRequestEvent
    ]
    decision = Union[_types.ReviewDecision, bool]
    event = Dict[str, Any]
    aliases = {
        "ApprovalRequest": request,
        "Decision": decision,
        "ApprovalCallback": Callable[[request], Union[decision, Awaitable[decision]]],
        "TelemetryEvent": event,
        "TelemetryCallback": Callable[[event], Union[None, Awaitable[None]]],
        "PathLike": Union[str, "os.PathLike[str]"],
    }
    globals().update(aliases)
    return aliases[name]


class Codex:
    """The entry point: settings, the model, the host's tools. Starts conversations.

    Settings are the fields of `CodexOptions` (generated from the core's type), as a `CodexOptions` or as
    keyword arguments; every one is optional and what is not given keeps the core's default
    (`OPENAI_API_KEY` and `OPENAI_BASE_URL` are read from the environment as the official clients read
    them). Policies take Codex CLI's strings (`sandbox_policy="workspace-write"`, `approval_policy="never"`)
    or their typed values; `load_config=True` reads `codex_home/config.toml` and `auth.json` first, with
    `config_overrides=["key=value"]` on top. The built-in tools are on unless `builtin_tools=False`.

        codex = Codex(model="gpt-5-codex")

        @codex.tool
        def add(a: int, b: int) -> int:
            "Adds two integers."
            return a + b

        conversation = await codex.start_conversation()
        result = await conversation.run("What is 2 + 3?")
        print(result.final_message)
    """

    def __init__(
        self,
        options: Union[CodexOptions, Dict[str, Any], None] = None,
        *,
        model_client: Optional[Union[ScriptedModel, ReplayModel]] = None,
        tools: Optional[List[Union[Tool, Callable[..., Any]]]] = None,
        on_approval: Optional[ApprovalCallback] = None,
        on_telemetry: Optional[TelemetryCallback] = None,
        **settings: Any,
    ):
        """`options` and the keyword `settings` are the fields of `CodexOptions` (keywords win); the core
        checks them, so a misspelt or ill-typed setting raises `InvalidInputError` naming it.
        `on_telemetry` receives every telemetry event (see `on_telemetry`)."""
        merged: Dict[str, Any] = dict(to_jsonable(options) or {})
        merged.update({k: to_jsonable(v) for k, v in settings.items() if v is not None})
        # Handed over as a dict: the native module converts it (no `json` import here).
        self._options = {k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in merged.items()}
        self._model_client = model_client
        self.tools: List[Tool] = [t if isinstance(t, Tool) else Tool(t) for t in tools or []]
        """The tools every new conversation starts with."""
        self._on_approval = on_approval
        self._on_telemetry = on_telemetry
        self._native: Optional[_native.Codex] = None

    @overload
    def tool(self, fn: Callable[..., Any]) -> Callable[..., Any]: ...

    @overload
    def tool(
        self, *, name: Optional[str] = None, description: Optional[str] = None, parallel: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...

    def tool(
        self,
        fn: Optional[Callable[..., Any]] = None,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        parallel: bool = False,
    ) -> Any:
        """Decorator: makes a function (sync or `async def`) a tool of every new conversation. The
        function is returned unchanged. See `Tool` for how the schema is derived."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.tools.append(Tool(fn, name=name, description=description, parallel=parallel))
            self._native = None
            return fn

        return register(fn) if fn is not None else register

    def on_approval(self, fn: ApprovalCallback) -> ApprovalCallback:
        """Decorator: installs the approval callback (sync or `async def`), which answers with a
        `ReviewDecision` or a bool. Without one, requests wait for an `ExecApprovalOp` / `PatchApprovalOp`
        and are denied when the approval timeout passes."""
        self._on_approval = fn
        self._native = None
        return fn

    def on_telemetry(self, fn: TelemetryCallback) -> TelemetryCallback:
        """Decorator: installs the telemetry callback (sync or `async def`). It receives each event of
        Codex's telemetry catalog as a dict (`TelemetryEvent`), redacted (no API key, no prompt text
        unless `[otel] log_user_prompt`), in order, after the work it describes — never on the turn's
        own path, so a slow callback cannot slow a turn (events it falls far behind on are dropped and
        counted in `telemetry_stats()["host_dropped"]`). `await codex.shutdown()` waits until it has had
        every event recorded so far."""
        self._on_telemetry = fn
        self._native = None
        return fn

    async def shutdown(self) -> None:
        """Ends every conversation this `Codex` started and waits for them (a running turn ends with
        `TurnAbortedEvent`, its tool calls with their End events), exports the telemetry still queued for
        an `[otel]` exporter and waits until the telemetry callback has had every event so far. Call it
        before the process exits. A conversation outlives the `Codex` object that started it until then."""
        if self._native is not None:
            await self._native.shutdown()

    def telemetry_stats(self) -> Dict[str, int]:
        """What telemetry delivery did so far: `exported`, `dropped` (queue full) and `failed` records of
        the `[otel]` exporter, and `host_dropped` events the telemetry callback fell too far behind for."""
        import json

        return dict(json.loads(self.native.telemetry_stats()))

    @property
    def native(self) -> _native.Codex:
        """The native `Codex` for the current settings, tools and callback."""
        if self._native is None:
            callback = None if self._on_approval is None else _approval_bridge(self._on_approval)
            self._native = _native.Codex(
                self._options,
                model_client=None if self._model_client is None else self._model_client.native,
                tools=[t.native for t in self.tools],
                on_approval=callback,
                on_approval_is_async=is_coroutine_function(self._on_approval),
                on_telemetry=None if self._on_telemetry is None else _telemetry_bridge(self._on_telemetry),
                on_telemetry_is_async=is_coroutine_function(self._on_telemetry),
            )
        return self._native

    @property
    def model(self) -> str:
        """The model conversations use."""
        return self.native.model

    async def start_conversation(self) -> Conversation:
        """Starts a conversation (recorded under `codex_home` unless `ephemeral=True`)."""
        from ._conversation import Conversation

        return Conversation(await self.native.start_conversation())

    async def resume_conversation(self, path: PathLike) -> Conversation:
        """Resumes a recorded conversation: same id, history rebuilt, earlier events in
        `session_configured.initial_messages`, new turns appended to the same file."""
        from ._conversation import Conversation

        return Conversation(await self.native.resume_conversation(os.fspath(path)))

    async def fork_conversation(self, path: PathLike, nth_user_message: int) -> Conversation:
        """Starts a new conversation from a recorded one, keeping what came before its
        `nth_user_message`-th (0-based) user message."""
        from ._conversation import Conversation

        return Conversation(await self.native.fork_conversation(os.fspath(path), nth_user_message))

    async def list_conversations(self, page_size: int = 20, cursor: Optional[str] = None) -> Any:
        """One page of recorded conversations, newest first (`items`, `next_cursor`); pass `next_cursor`
        back for the next page. A `ConversationsPage` when the protocol schema has it, else its dict."""
        import json

        return _page(json.loads(await self.native.list_conversations(page_size, cursor)))

    async def find_conversation_path(self, conversation_id: str) -> Optional[str]:
        """The rollout file of a recorded (not archived) conversation."""
        path = await self.native.find_conversation_path(conversation_id)
        return None if path is None else os.fspath(path)

    async def archive_conversation(self, conversation_id: str, path: PathLike) -> str:
        """Archives a conversation (shutting it down if it runs); returns the archived file's path."""
        return os.fspath(await self.native.archive_conversation(conversation_id, os.fspath(path)))

    async def unarchive_conversation(self, conversation_id: str, path: PathLike) -> str:
        """Moves an archived conversation back; returns its new path."""
        return os.fspath(await self.native.unarchive_conversation(conversation_id, os.fspath(path)))


def _page(page: Dict[str, Any]) -> Any:
    """A `ConversationsPage` when the protocol schema has it, else its dict."""
    from . import _types

    typed = getattr(_types, "ConversationsPage", None)
    return typed.from_dict(page) if typed is not None else page


def _decision(answer: Any) -> str:
    if answer is True:
        return "approved"
    if answer is False or answer is None:
        return "denied"
    return str(answer)


def _approval_bridge(fn: ApprovalCallback) -> Callable[[str], Any]:
    """The native callback: the request's JSON in, the decision's name (or a coroutine of it) out."""

    import inspect
    import json

    from ._types import event_msg_from_dict

    def call(request: str) -> Any:
        answer = fn(event_msg_from_dict(json.loads(request)))  # type: ignore[arg-type]
        if inspect.isawaitable(answer):
            return _await_decision(answer)
        return _decision(answer)

    return call


async def _await_decision(answer: Awaitable[Any]) -> str:
    return _decision(await answer)


def _telemetry_bridge(fn: TelemetryCallback) -> Callable[[str], Any]:
    """The native callback: the event's JSON in, the callback's result (or coroutine) out."""

    import json

    def call(event: str) -> Any:
        return fn(json.loads(event))

    return call
