"""The binding's runtime: fork-safe, the GIL free while Rust works, host code never blocking the loop."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import pytest

from codex_sdk import ScriptedResponse

from .conftest import scripted


async def run_once(text: str) -> str:
    codex, _ = scripted(ScriptedResponse.text(text), builtin_tools=False)
    conversation = await codex.start_conversation()
    return (await conversation.run("hi")).final_message or ""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_gets_its_own_runtime():
    assert asyncio.run(run_once("parent")) == "parent"  # the parent's runtime is running
    pid = os.fork()
    if pid == 0:  # the child: the parent's runtime threads do not exist here
        try:
            ok = asyncio.run(asyncio.wait_for(run_once("child"), 10)) == "child"
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert asyncio.run(run_once("parent again")) == "parent again"


async def test_the_event_loop_stays_free_while_a_sync_tool_blocks():
    codex, _ = scripted(ScriptedResponse.tool_call("slow", {}), ScriptedResponse.text("done"), builtin_tools=False)

    @codex.tool
    def slow() -> str:
        """Blocks for a while."""
        time.sleep(0.3)
        return "slept"

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    conversation = await codex.start_conversation()
    ticking = asyncio.ensure_future(ticker())
    result = await conversation.run("go")
    ticking.cancel()
    assert result.final_message == "done"
    assert ticks >= 15, f"the loop ticked only {ticks} times during a 0.3 s tool call"


def test_a_turn_runs_while_another_thread_holds_python_busy():
    import threading

    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        started = time.perf_counter()
        assert asyncio.run(run_once("busy")) == "busy"
        assert time.perf_counter() - started < 5
    finally:
        stop.set()
        spinner.join()


def test_the_package_imports_without_side_effects():
    code = "import codex_sdk, threading; print(threading.active_count())"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "1", "importing starts no thread (the runtime starts on first use)"
