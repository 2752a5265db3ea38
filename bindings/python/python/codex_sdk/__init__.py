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
the `CodexError` subclasses of `codex_sdk.errors`; `CodexSync` is the blocking facade (no asyncio).

Every name is imported on first use (PEP 562), so a script pays only for what it uses: `CodexSync` with
plain tools needs neither asyncio nor `typing`, `json`, `inspect` or the generated protocol types' module
until it reads a result.
"""

import sys as _sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from . import errors, types
    from ._codex import ApprovalRequest, Codex, Decision, TelemetryEvent
    from ._conversation import Conversation, ConversationTools, EventStream, RunResult, TurnStream
    from ._home import (
        auth_status,
        format_tokens_compact,
        format_tokens_exact,
        login_api_key,
        logout,
        set_default_model,
        user_email,
    )
    from ._native import VERSION as __version__
    from ._scripted import ScriptedModel, ScriptedResponse
    from ._sync import CodexSync, ConversationSync, run_sync
    from ._tools import Tool, ToolContext
    from ._types import *  # noqa: F403 - the protocol types are the package's vocabulary
    from ._types import __all__ as _types_all
    from .errors import *  # noqa: F403
    from .errors import __all__ as _errors_all

_HOMES = {
    "_codex": ("ApprovalRequest", "Codex", "Decision", "TelemetryEvent"),
    "_conversation": ("Conversation", "ConversationTools", "EventStream", "RunResult", "TurnStream"),
    "_home": (
        "auth_status",
        "format_tokens_compact",
        "format_tokens_exact",
        "login_api_key",
        "logout",
        "set_default_model",
        "user_email",
    ),
    "_scripted": ("ScriptedModel", "ScriptedResponse"),
    "_sync": ("CodexSync", "ConversationSync", "run_sync"),
    "_tools": ("Tool", "ToolContext"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}
"""Where each of the package's own names lives; the protocol types and errors come from `_types` and
`errors`."""

_SUBMODULES = ("errors", "types", "testing")

_OWN_ALL = [
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
]


def _submodule(name: str) -> object:
    qualified = f"{__name__}.{name}"
    __import__(qualified)
    return _sys.modules[qualified]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    value: object
    if home is not None:
        value = getattr(_submodule(home), name)
    elif name in _SUBMODULES:
        value = _submodule(name)
    elif name == "__version__":
        value = _submodule("_native").VERSION  # type: ignore[attr-defined]
    elif name == "__all__":
        value = [*_OWN_ALL, *_submodule("_types").__all__, *_submodule("errors").__all__]  # type: ignore[attr-defined]
    elif name.startswith("_"):
        # Private modules (`from . import _native` asks here first) and dunders are never protocol types.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        for module in ("_types", "errors"):
            namespace = _submodule(module)
            if name in namespace.__all__:  # type: ignore[attr-defined]
                value = getattr(namespace, name)
                break
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted({*globals(), *_HOME, *_SUBMODULES, *__getattr__("__all__")})  # type: ignore[misc]


if TYPE_CHECKING:
    __all__ = [*_OWN_ALL, *_types_all, *_errors_all]
