"""Errors: one `CodexError` subclass per `ErrorCode`, raised where the core fails; the cause kept."""

from __future__ import annotations

import builtins

import pytest

from codex_sdk import (
    CodexError,
    CodexTimeoutError,
    ContextWindowExceededError,
    ErrorEvent,
    InvalidInputError,
    ScriptedResponse,
    UsageLimitReachedError,
    errors,
)
from codex_sdk._types import ErrorCode

from .conftest import scripted


async def test_a_failed_turn_raises_the_class_of_its_code():
    codex, _ = scripted(ScriptedResponse.failure("context_window_exceeded", "input too long"))
    conversation = await codex.start_conversation()
    with pytest.raises(ContextWindowExceededError) as raised:
        await conversation.run("a very long prompt")
    assert isinstance(raised.value, CodexError)
    assert raised.value.code == "context_window_exceeded"
    assert "input too long" in str(raised.value)


async def test_a_failed_turn_streams_an_error_event():
    codex, _ = scripted(ScriptedResponse.text("partial").then_fail("usage_limit_reached", "quota used up"))
    conversation = await codex.start_conversation()
    events = [event async for event in conversation.stream("go")]
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].code == "usage_limit_reached"
    with pytest.raises(UsageLimitReachedError):
        codex2, _ = scripted(ScriptedResponse.failure("usage_limit_reached", "quota used up"))
        await (await codex2.start_conversation()).run("go")


async def test_bad_input_raises_invalid_input():
    codex, _ = scripted()
    conversation = await codex.start_conversation()
    with pytest.raises(InvalidInputError):
        await conversation.submit({"type": "no_such_op"})
    with pytest.raises(InvalidInputError):
        await conversation.run([{"type": "local_image", "path": "/no/such/image.png"}])


def test_every_code_has_its_class():
    codes = ErrorCode.__args__  # type: ignore[attr-defined]
    assert set(errors.ERROR_CLASSES) == set(codes)
    for code, cls in errors.ERROR_CLASSES.items():
        assert issubclass(cls, CodexError) and cls.code == code
    assert issubclass(CodexTimeoutError, builtins.TimeoutError)


def test_the_rust_cause_chain_becomes_the_cause():
    error = errors._from_native("stream", "transport error: connection refused", ["error sending request", "refused"])
    assert isinstance(error, errors.StreamError)
    assert isinstance(error.__cause__, errors.RustError)
    assert error.__cause__.chain == ["error sending request", "refused"]
    assert errors._from_native("something_new", "later codes fall back to the base class").code == "internal"
