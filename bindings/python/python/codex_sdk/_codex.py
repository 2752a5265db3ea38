"""`Codex`: configuration, host tools and the approval callback; starts conversations."""

from __future__ import annotations

import inspect
import json
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union, overload

from . import _native, _types
from ._conversation import Conversation
from ._convert import optional_json
from ._tools import Tool
from ._types import (
    ApplyPatchApprovalRequestEvent,
    AskForApproval,
    ExecApprovalRequestEvent,
    ReasoningEffort,
    ReasoningSummary,
    ReviewDecision,
    SandboxPolicy,
    event_msg_from_dict,
)
from ._scripted import ScriptedModel

ApprovalRequest = Union[ExecApprovalRequestEvent, ApplyPatchApprovalRequestEvent]
"""What needs the host's approval: a command, or a patch."""

Decision = Union[ReviewDecision, bool]
"""An approval answer: a `ReviewDecision`, or `True` (approved) / `False` (denied)."""

ApprovalCallback = Callable[[ApprovalRequest], Union[Decision, Awaitable[Decision]]]

PathLike = Union[str, "os.PathLike[str]"]


class Codex:
    """The entry point: settings, the model, the host's tools. Starts conversations.

    Every setting is optional; what is not given keeps the core's default (`OPENAI_API_KEY` and
    `OPENAI_BASE_URL` are read from the environment as the official clients read them). The built-in tools
    (shell, read_file, list_dir, apply_patch, update_plan, view_image) are on unless `builtin_tools=False`.

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
        *,
        model: Optional[str] = None,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        cwd: Optional[PathLike] = None,
        codex_home: Optional[PathLike] = None,
        instructions: Optional[str] = None,
        approval_policy: Optional[AskForApproval] = None,
        sandbox_policy: Optional[SandboxPolicy] = None,
        reasoning_effort: Optional[ReasoningEffort] = None,
        reasoning_summary: Optional[ReasoningSummary] = None,
        model_context_window: Optional[int] = None,
        provider: Optional[Dict[str, Any]] = None,
        event_buffer: Optional[int] = None,
        approval_timeout: Optional[float] = None,
        model_client: Optional[ScriptedModel] = None,
        builtin_tools: Optional[bool] = None,
        ephemeral: Optional[bool] = None,
        tools: Optional[List[Union[Tool, Callable[..., Any]]]] = None,
        on_approval: Optional[ApprovalCallback] = None,
    ):
        self._settings: Dict[str, Any] = dict(
            model=model,
            api_key=api_key,
            base_url=base_url,
            cwd=None if cwd is None else os.fspath(cwd),
            codex_home=None if codex_home is None else os.fspath(codex_home),
            instructions=instructions,
            approval_policy=optional_json(approval_policy),
            sandbox_policy=optional_json(sandbox_policy),
            reasoning_effort=optional_json(reasoning_effort),
            reasoning_summary=optional_json(reasoning_summary),
            model_context_window=model_context_window,
            provider=optional_json(provider),
            event_buffer=event_buffer,
            approval_timeout=approval_timeout,
            model_client=None if model_client is None else model_client.native,
            builtin_tools=builtin_tools,
            ephemeral=ephemeral,
        )
        self.tools: List[Tool] = [t if isinstance(t, Tool) else Tool(t) for t in tools or []]
        """The tools every new conversation starts with."""
        self._on_approval = on_approval
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

    @property
    def native(self) -> _native.Codex:
        """The native `Codex` for the current settings, tools and callback."""
        if self._native is None:
            callback = None if self._on_approval is None else _approval_bridge(self._on_approval)
            self._native = _native.Codex(
                **self._settings,
                tools=[t.native for t in self.tools],
                on_approval=callback,
                on_approval_is_async=inspect.iscoroutinefunction(self._on_approval),
            )
        return self._native

    @property
    def model(self) -> str:
        """The model conversations use."""
        return self.native.model

    async def start_conversation(self) -> Conversation:
        """Starts a conversation (recorded under `codex_home` unless `ephemeral=True`)."""
        return Conversation(await self.native.start_conversation())

    async def resume_conversation(self, path: PathLike) -> Conversation:
        """Resumes a recorded conversation: same id, history rebuilt, earlier events in
        `session_configured.initial_messages`, new turns appended to the same file."""
        return Conversation(await self.native.resume_conversation(os.fspath(path)))

    async def fork_conversation(self, path: PathLike, nth_user_message: int) -> Conversation:
        """Starts a new conversation from a recorded one, keeping what came before its
        `nth_user_message`-th (0-based) user message."""
        return Conversation(await self.native.fork_conversation(os.fspath(path), nth_user_message))

    async def list_conversations(self, page_size: int = 20, cursor: Optional[str] = None) -> Any:
        """One page of recorded conversations, newest first (`items`, `next_cursor`); pass `next_cursor`
        back for the next page. A `ConversationsPage` when the protocol schema has it, else its dict."""
        page = json.loads(await self.native.list_conversations(page_size, cursor))
        typed = getattr(_types, "ConversationsPage", None)
        return typed.from_dict(page) if typed is not None else page

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


def _decision(answer: Any) -> str:
    if answer is True:
        return "approved"
    if answer is False or answer is None:
        return "denied"
    return str(answer)


def _approval_bridge(fn: ApprovalCallback) -> Callable[[str], Any]:
    """The native callback: the request's JSON in, the decision's name (or a coroutine of it) out."""

    def call(request: str) -> Any:
        answer = fn(event_msg_from_dict(json.loads(request)))  # type: ignore[arg-type]
        if inspect.isawaitable(answer):
            return _await_decision(answer)
        return _decision(answer)

    return call


async def _await_decision(answer: Awaitable[Any]) -> str:
    return _decision(await answer)
