"""
The native core of the `codex_sdk` package (use the package, not this module).
"""

from _typeshed import SupportsGetItem
from os import PathLike
from pathlib import Path
from typing import Any, Awaitable, Final, SupportsFloat, SupportsIndex, final

__all__ = ["VERSION", "Codex", "Conversation", "MockResponse", "MockServer", "ReplayModel", "ScriptedModel", "Tool", "ToolContext", "TurnStream", "auth_status", "format_tokens_compact", "format_tokens_exact", "host_call_site", "login_api_key", "logout", "set_default_model", "sse_assistant_message", "sse_completed", "sse_created", "sse_failed", "sse_function_call", "sse_output_text_delta", "sse_text_response", "sse_tool_call_response"]

VERSION: Final[str]

@final
class Codex:
    """
    Holds the configuration, the model client and the host's tools; starts conversations.
    """
    def __new__(cls, /, options: Any, *, model_client: ScriptedModel | ReplayModel | None = None, tools: SupportsGetItem[int, Tool] = ..., on_approval: Any | None = None, on_approval_is_async: bool = False, on_telemetry: Any | None = None, on_telemetry_is_async: bool = False) -> Codex:
        """
        `options` is the core's `CodexOptions`, as JSON text or as a dict (the package builds it from keyword
        arguments);
        what cannot be data — a scripted model, host tools, the approval callback, the telemetry callback
        (`on_telemetry(event_json)`, called off the turn's task, in order) — comes separately.
        """
    def archive_conversation(self, /, conversation_id: str, path: str | PathLike[str]) -> Awaitable[Path]:
        """
        Archives a conversation (shutting it down if live); resolves to the archived file's path.
        """
    def find_conversation_path(self, /, conversation_id: str) -> Awaitable[Path | None]:
        """
        The rollout path of a recorded (not archived) conversation, by id.
        """
    def fork_conversation(self, /, path: str | PathLike[str], nth_user_message: SupportsIndex) -> Awaitable[Conversation]:
        """
        Forks the conversation recorded at `path` before its `nth_user_message`-th (0-based) user message.
        """
    def fork_conversation_blocking(self, /, path: str | PathLike[str], nth_user_message: SupportsIndex) -> Conversation:
        """
        As `fork_conversation`, blocking.
        """
    def list_conversations(self, /, page_size: SupportsIndex, cursor: str | None = None) -> Awaitable[str]:
        """
        One page of recorded conversations, newest first, as JSON (`ConversationsPage`); pass its
        `next_cursor` for the next page.
        """
    def list_conversations_blocking(self, /, page_size: SupportsIndex, cursor: str | None = None) -> Any:
        """
        As `list_conversations`, blocking; the page as plain Python values (dicts and lists).
        """
    @property
    def model(self, /) -> str:
        """
        The model conversations use.
        """
    def resume_conversation(self, /, path: str | PathLike[str]) -> Awaitable[Conversation]:
        """
        Resumes the conversation recorded at `path` (same id, appending to the same file).
        """
    def resume_conversation_blocking(self, /, path: str | PathLike[str]) -> Conversation:
        """
        As `resume_conversation`, blocking.
        """
    def shutdown(self, /) -> Awaitable[None]:
        """
        Ends every conversation this Codex started and waits for them, waits until the telemetry callback
        has had every event recorded so far and exports what the OTLP exporter still queues.
        """
    def shutdown_blocking(self, /) -> None:
        """
        As `shutdown`, blocking (the GIL released) instead of returning an awaitable.
        """
    def start_conversation(self, /) -> Awaitable[Conversation]:
        """
        Starts a conversation; resolves to a `Conversation`.
        """
    def start_conversation_blocking(self, /) -> Conversation:
        """
        As `start_conversation`, blocking. Host coroutines (async tools, callbacks) of a conversation driven
        by blocking calls run with `asyncio.run` on a worker thread.
        """
    def telemetry_stats(self, /) -> str:
        """
        What telemetry delivery did so far, as JSON: `exported`, `dropped` and `failed` (the OTLP
        exporter's records) and `host_dropped` (events the telemetry callback fell too far behind for).
        """
    def unarchive_conversation(self, /, conversation_id: str, path: str | PathLike[str]) -> Awaitable[Path]:
        """
        Moves an archived conversation back; resolves to its new path.
        """

@final
class Conversation:
    """
    One conversation.
    """
    @property
    def id(self, /) -> str:
        """
        The conversation's id (a UUID string).
        """
    def interrupt(self, /) -> Awaitable[None]:
        """
        Interrupts the running turn.
        """
    def interrupt_blocking(self, /) -> None:
        """
        As `interrupt`, blocking.
        """
    def next_events(self, /, max: SupportsIndex) -> Awaitable[str | None]:
        """
        Waits for the next events of the conversation (any turn) and returns them with what else is
        buffered, at most `max`, as a JSON list of `Event`; `None` once the conversation has ended.
        """
    def next_events_blocking(self, /, max: SupportsIndex) -> str | None:
        """
        As `next_events`, blocking.
        """
    def register_tool(self, /, tool: Tool) -> None:
        """
        Registers a tool for the following model requests.
        """
    def run(self, /, input: str) -> Awaitable[str]:
        """
        Runs a turn with `input` (JSON list of `UserInput`); resolves to the `TurnResult` as JSON.
        """
    def run_blocking(self, /, input: Any) -> Any:
        """
        As `run`, blocking (the GIL released; Ctrl-C interrupts the turn); `input` is a list of `UserInput`
        (dicts or JSON text); the `TurnResult` as plain Python values.
        """
    @property
    def session_configured(self, /) -> str:
        """
        The `SessionConfigured` event, as JSON.
        """
    def shutdown(self, /) -> Awaitable[None]:
        """
        Shuts the conversation down and waits for `ShutdownComplete` (the rollout is written out first).
        """
    def shutdown_blocking(self, /) -> None:
        """
        As `shutdown`, blocking.
        """
    def stream(self, /, input: str) -> TurnStream:
        """
        The stream of the events of a turn with `input` (JSON list of `UserInput`); the turn starts when
        the stream is first read.
        """
    def stream_blocking(self, /, input: Any) -> TurnStream:
        """
        As `stream`, for blocking reads (`next_batch_blocking`); `input` as for `run_blocking`.
        """
    def submit(self, /, op: str) -> Awaitable[str]:
        """
        Submits an op (JSON `Op`); resolves to its submission id.
        """
    def submit_blocking(self, /, op: Any) -> str:
        """
        As `submit`, blocking; `op` is an `Op` (a dict, a protocol dataclass or JSON text).
        """
    def tool_names(self, /) -> list[str]:
        """
        The names of the registered tools.
        """
    def unregister_tool(self, /, name: str) -> bool:
        """
        Unregisters a tool; returns whether it was registered.
        """

@final
class MockResponse:
    """
    One canned answer (an immutable builder: each method returns a new one).
    """
    def body(self, /, body: str) -> MockResponse:
        """
        Sets the body text.
        """
    def cut_after_bytes(self, /, n: SupportsIndex) -> MockResponse:
        """
        Closes the connection after `n` body bytes.
        """
    def event_delay(self, /, seconds: SupportsFloat | SupportsIndex) -> MockResponse:
        """
        Waits this long (seconds) between events.
        """
    def header(self, /, name: str, value: str) -> MockResponse:
        """
        Adds a header.
        """
    @staticmethod
    def sse(events: str) -> MockResponse:
        """
        A Responses API stream of these events (JSON list of event objects).
        """
    @staticmethod
    def status(code: SupportsIndex) -> MockResponse:
        """
        A plain response with this status.
        """

@final
class MockServer:
    """
    A mock model server on `127.0.0.1` answering each request with the next queued `MockResponse`.
    """
    def __new__(cls, /) -> MockServer:
        """
        Starts a server on a free loopback port.
        """
    @property
    def base_url(self, /) -> str:
        """
        `http://127.0.0.1:PORT/v1`.
        """
    def enqueue(self, /, response: MockResponse) -> None:
        """
        Queues an answer.
        """
    @property
    def pending(self, /) -> int:
        """
        Answers not handed out yet.
        """
    def requests(self, /) -> list[dict]:
        """
        Every request received so far: dicts with `method`, `path`, `headers` and `body` (JSON or text).
        """

@final
class ReplayModel:
    """
    A model that replays the responses recorded in a rollout, in order, checking that each request is the
    one recorded; the first difference fails the turn with a `replay_diverged` error naming it.
    """
    @property
    def divergence(self, /) -> str | None:
        """
        Where the replay first differed from its recording (`None` while it matches).
        """
    @staticmethod
    def from_conversation(codex: Codex, conversation_id: str) -> Awaitable[ReplayModel]:
        """
        Reads the recorded conversation `conversation_id` from `codex`'s rollout store.
        """
    @staticmethod
    def from_rollout(path: str | PathLike[str]) -> ReplayModel:
        """
        Reads the rollout file at `path`.
        """
    @property
    def remaining(self, /) -> int:
        """
        Recorded responses not served yet.
        """

@final
class ScriptedModel:
    """
    An offline model playing a script of responses, one per model request.
    """
    def __new__(cls, /, spec: str) -> ScriptedModel:
        """
        `spec` is the JSON of the core's `ScriptedModelSpec`.
        """
    def push(self, /, steps: str) -> None:
        """
        Appends a response to the script: `steps` is the JSON list of its `ScriptedStep`s.
        """
    @property
    def remaining(self, /) -> int:
        """
        Responses not played yet.
        """
    def requests(self, /) -> list[Any]:
        """
        The input items of every request received so far (a list per request).
        """

@final
class Tool:
    """
    A host tool: a name, a description, a JSON schema (JSON text or a dict) and a callable
    `(arguments: dict, context: ToolContext) -> str | Awaitable[str]`. An `is_async` callable is called on
    the event loop (it must return quickly, with a coroutine); others in place on the runtime worker
    running the turn, or on a blocking-pool thread when `parallel`.
    """
    def __new__(cls, /, name: str, description: str, parameters: Any, callback: Any, parallel: bool = False, is_async: bool = False) -> Tool: ...
    @property
    def name(self, /) -> str:
        """
        The tool's name.
        """

@final
class ToolContext:
    """
    What a host tool may know and do besides its arguments.
    """
    @property
    def call_id(self, /) -> str | None:
        """
        The id of the tool call being handled (the model's `call_id`).
        """
    @property
    def cancelled(self, /) -> bool:
        """
        Whether the turn was interrupted (a long tool should stop).
        """
    @property
    def conversation_id(self, /) -> str:
        """
        The conversation's id.
        """
    @property
    def cwd(self, /) -> str:
        """
        The turn's working directory.
        """
    def request_approval(self, /, command: SupportsGetItem[int, str], reason: str | None = None) -> Awaitable[str]:
        """
        Asks the host to approve running `command`; resolves to the decision (`ReviewDecision`). Keyed by
        the call id; a command approved for the session is not asked again; `"abort"` ends the turn.
        """
    def request_approval_blocking(self, /, command: SupportsGetItem[int, str], reason: str | None = None) -> str:
        """
        As `request_approval`, blocking the calling thread with the GIL released (for sync tools).
        """
    @property
    def submission_id(self, /) -> str:
        """
        The submission (turn) the call belongs to.
        """

@final
class TurnStream:
    """
    The events of one turn, read in batches. Dropping or closing it before the turn's end interrupts the
    turn.
    """
    def close(self, /) -> None:
        """
        Stops reading: the turn is interrupted unless it has already ended.
        """
    def next_batch(self, /, max: SupportsIndex) -> Awaitable[tuple[str, bool]]:
        """
        Waits for at least one event and returns it with what else is buffered (at most `max`).
        """
    def next_batch_blocking(self, /, max: SupportsIndex) -> tuple[str, bool]:
        """
        As `next_batch`, blocking (the GIL released; Ctrl-C raises `KeyboardInterrupt`).
        """
    def try_next_batch(self, /, max: SupportsIndex) -> tuple[str, bool] | None:
        """
        The buffered events (at most `max`) without waiting, or `None` when none is buffered.
        """

def auth_status(codex_home: str | PathLike[str] | None = None) -> str:
    """
    What `auth.json` holds, without the secrets, as the JSON of `AuthStatus`.
    """

def format_tokens_compact(n: SupportsIndex) -> str:
    """
    A token count for display, e.g. `12.3K`.
    """

def format_tokens_exact(n: SupportsIndex) -> str:
    """
    A token count with thousands separators, e.g. `12,345`.
    """

def host_call_site() -> str:
    """
    The events of a response holding one assistant message.
    Where the sync host call running on the calling thread was placed: `"worker"` (in place, on the
    runtime worker running the turn), `"blocking pool"`, or `""` outside a host call.
    """

def login_api_key(api_key: str, codex_home: str | PathLike[str] | None = None) -> None:
    """
    Stores an API key in `auth.json` (0600).
    """

def logout(codex_home: str | PathLike[str] | None = None) -> bool:
    """
    Removes `auth.json`; returns whether there was one.
    """

def set_default_model(model: str | None, effort: str | None = None, codex_home: str | PathLike[str] | None = None) -> None:
    """
    Writes the default model (and reasoning effort, a JSON `ReasoningEffort`) into `config.toml`, keeping
    the rest of the file.
    """

def sse_assistant_message(item_id: str, text: str) -> Any:
    """
    `response.output_item.done` with an assistant message.
    """

def sse_completed(response_id: str) -> Any:
    """
    `response.completed`.
    """

def sse_created(response_id: str) -> Any:
    """
    `response.created`.
    """

def sse_failed(code: str, message: str) -> Any:
    """
    `response.failed` with an error code and message.
    """

def sse_function_call(call_id: str, name: str, arguments: str) -> Any:
    """
    `response.output_item.done` with a function call.
    """

def sse_output_text_delta(delta: str) -> Any:
    """
    `response.output_text.delta`.
    """

def sse_text_response(response_id: str, text: str) -> list[Any]: ...

def sse_tool_call_response(response_id: str, call_id: str, name: str, arguments: str) -> list[Any]:
    """
    The events of a response holding one function call.
    """
