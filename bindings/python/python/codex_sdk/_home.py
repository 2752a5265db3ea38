"""`CODEX_HOME` besides sessions: API-key login, logout, auth status and email, the default model; and the
token formatting helpers. Each takes `codex_home` (default: `CODEX_HOME`, else `~/.codex`)."""

from __future__ import annotations

import json
import os
from typing import Optional, Union

from . import _native
from ._types import AuthStatus, ReasoningEffort

PathLike = Union[str, "os.PathLike[str]"]


def _home(codex_home: Optional[PathLike]) -> Optional[str]:
    return None if codex_home is None else os.fspath(codex_home)


def login_api_key(api_key: str, codex_home: Optional[PathLike] = None) -> None:
    """Stores an API key in `auth.json` (mode 0600), as `codex login --api-key` does."""
    _native.login_api_key(api_key, _home(codex_home))


def logout(codex_home: Optional[PathLike] = None) -> bool:
    """Removes `auth.json`; returns whether there was one."""
    return _native.logout(_home(codex_home))


def auth_status(codex_home: Optional[PathLike] = None) -> AuthStatus:
    """What `auth.json` holds, without the secrets."""
    return AuthStatus.from_dict(json.loads(_native.auth_status(_home(codex_home))))


def user_email(codex_home: Optional[PathLike] = None) -> Optional[str]:
    """The account's email, from the stored id token (None for an API-key login)."""
    return auth_status(codex_home).email


def set_default_model(
    model: Optional[str], effort: Optional[ReasoningEffort] = None, codex_home: Optional[PathLike] = None
) -> None:
    """Writes the default model (and reasoning effort) into `config.toml`, keeping the rest of it."""
    _native.set_default_model(model, None if effort is None else json.dumps(effort), _home(codex_home))


format_tokens_compact = _native.format_tokens_compact
format_tokens_exact = _native.format_tokens_exact
