"""codex-sdk: the Codex coding-agent core as a Python library.

    import asyncio
    from codex_sdk import Codex

    async def main():
        codex = Codex(model="gpt-5-codex")
        conversation = await codex.start_conversation()
        result = await conversation.run("Summarize README.md")
        print(result.final_message)

    asyncio.run(main())

Events are the dataclasses of `codex_sdk.types` (`async for event in conversation.stream(...)`); errors are
the `CodexError` subclasses of `codex_sdk.errors`; `CodexSync` is the blocking facade.
"""

from . import errors, types
from ._codex import ApprovalRequest, Codex, Decision, TelemetryEvent
from ._home import (
    auth_status,
    format_tokens_compact,
    format_tokens_exact,
    login_api_key,
    logout,
    set_default_model,
    user_email,
)
from ._conversation import Conversation, ConversationTools, EventStream, RunResult, TurnStream
from ._native import VERSION as __version__
from ._scripted import ScriptedModel, ScriptedResponse
from ._sync import CodexSync, ConversationSync, run_sync
from ._tools import Tool, ToolContext
from ._types import *  # noqa: F403 - the protocol types are the package's vocabulary
from ._types import __all__ as _types_all
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all

__all__ = [
    "ApprovalRequest",
    "TelemetryEvent",
    "Codex",
    "CodexSync",
    "Conversation",
    "ConversationSync",
    "ConversationTools",
    "Decision",
    "EventStream",
    "RunResult",
    "ScriptedModel",
    "ScriptedResponse",
    "Tool",
    "ToolContext",
    "TurnStream",
    "errors",
    "run_sync",
    "types",
    "auth_status",
    "format_tokens_compact",
    "format_tokens_exact",
    "login_api_key",
    "logout",
    "set_default_model",
    "user_email",
    *_types_all,
    *_errors_all,
]
