"""Benchmarks of the Python binding. Build the extension in release first:

    maturin develop --release && python bench/bench.py [events] [tool] [process]

- events: events per second delivered into `async for` (a scripted turn of many deltas), and the same
  drained as raw native batches (what the conversion to dataclasses costs).
- tool: the overhead of one Python tool call round trip: a turn of 20 calls to a Python no-op tool against
  the same turn calling the built-in Rust `update_plan` tool (same tool list, no Python involved); through
  the async API and through `CodexSync` (the blocking path: no event loop).
- process: see `whole_process.py` (a fresh Python process that imports the package and runs one tool-call
  turn against a local server, wall time).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from codex_sdk import Codex, CodexSync, ScriptedModel, ScriptedResponse


def codex_over(*responses: ScriptedResponse, builtin_tools: bool = False) -> Codex:
    return Codex(
        model_client=ScriptedModel(responses),
        builtin_tools=builtin_tools,
        cwd="/tmp",
        instructions="bench",
        ephemeral=True,
    )


async def events_per_second(words: int) -> tuple[float, float]:
    text = "w " * words
    # Typed: dataclasses through `async for`.
    conversation = await codex_over(ScriptedResponse.text(text)).start_conversation()
    started = time.perf_counter()
    count = 0
    async for _ in conversation.stream("go"):
        count += 1
    typed = count / (time.perf_counter() - started)
    # Raw: the native batches only (JSON text), for comparison.
    conversation = await codex_over(ScriptedResponse.text(text)).start_conversation()
    stream = conversation._native.stream('[{"type":"text","text":"go"}]')
    started = time.perf_counter()
    count, done = 0, False
    while not done:
        batch = stream.try_next_batch(4096) or await stream.next_batch(4096)
        text_batch, done = batch
        count += text_batch.count('"type"')
    raw = count / (time.perf_counter() - started)
    return typed, raw


async def tool_round_trip(calls: int) -> dict:
    def turn(name: str, arguments: Optional[dict] = None) -> list:
        calls_ = [ScriptedResponse.tool_call(name, arguments or {"x": 1}) for _ in range(calls)]
        return calls_ + [ScriptedResponse.text("ok")]

    async def timed(make) -> float:
        # Short turns in fresh conversations: the history (and so each request) stays small.
        per_call = []
        for _ in range(30):
            conversation = await make().start_conversation()
            started = time.perf_counter()
            await conversation.run("go")
            per_call.append((time.perf_counter() - started) / calls)
        return statistics.median(per_call)

    missing = await timed(lambda: codex_over(*turn("missing")))
    plan = {"plan": [{"step": "bench", "status": "pending"}]}
    baseline = await timed(lambda: codex_over(*turn("update_plan", plan), builtin_tools=True))

    def with_sync_tool() -> Codex:
        codex = codex_over(*turn("noop"), builtin_tools=True)

        @codex.tool
        def noop(x: int) -> str:
            """Does nothing."""
            return "ok"

        return codex

    def with_async_tool() -> Codex:
        codex = codex_over(*turn("anoop"), builtin_tools=True)

        @codex.tool
        async def anoop(x: int) -> str:
            """Does nothing, asynchronously."""
            return "ok"

        return codex

    sync_call = await timed(with_sync_tool)
    async_call = await timed(with_async_tool)
    return {
        "turn loop per call, unregistered tool (answered by the core)": missing,
        "turn loop per call, Rust tool (built-in update_plan)": baseline,
        "sync Python tool per call": sync_call,
        "async Python tool per call": async_call,
        "sync tool overhead": sync_call - baseline,
        "async tool overhead": async_call - baseline,
    }


def blocking_tool_round_trip(calls: int) -> dict:
    """As `tool_round_trip`, through `CodexSync`."""

    def turn(name: str, arguments: dict) -> list:
        return [ScriptedResponse.tool_call(name, arguments) for _ in range(calls)] + [ScriptedResponse.text("ok")]

    def codex_sync(*responses: ScriptedResponse) -> CodexSync:
        return CodexSync(
            model_client=ScriptedModel(responses), cwd="/tmp", instructions="bench", ephemeral=True
        )

    def timed(make) -> float:
        per_call = []
        for _ in range(30):
            conversation = make().start_conversation()
            started = time.perf_counter()
            conversation.run("go")
            per_call.append((time.perf_counter() - started) / calls)
        return statistics.median(per_call)

    plan = {"plan": [{"step": "bench", "status": "pending"}]}
    baseline = timed(lambda: codex_sync(*turn("update_plan", plan)))

    def with_sync_tool() -> CodexSync:
        codex = codex_sync(*turn("noop", {"x": 1}))

        @codex.tool
        def noop(x: int) -> str:
            """Does nothing."""
            return "ok"

        return codex

    sync_call = timed(with_sync_tool)
    return {
        "CodexSync: turn loop per call, Rust tool (built-in update_plan)": baseline,
        "CodexSync: sync Python tool per call": sync_call,
        "CodexSync: sync tool overhead": sync_call - baseline,
    }


def thread_round_trip(n: int = 2000) -> float:
    """The machine's own cost of two thread hops (a ping-pong between two Python threads): the floor under
    any cross-thread call, and a gauge of how loaded the machine is."""
    import queue
    import threading

    ping: "queue.SimpleQueue[int]" = queue.SimpleQueue()
    pong: "queue.SimpleQueue[int]" = queue.SimpleQueue()

    def echo() -> None:
        while (x := ping.get()) >= 0:
            pong.put(x)

    thread = threading.Thread(target=echo)
    thread.start()
    started = time.perf_counter()
    for i in range(n):
        ping.put(i)
        pong.get()
    elapsed = (time.perf_counter() - started) / n
    ping.put(-1)
    thread.join()
    return elapsed


def main(which: list[str]) -> None:
    which = which or ["events", "tool", "process"]
    if "events" in which:
        runs = [asyncio.run(events_per_second(200_000)) for _ in range(5)]
        typed = [r[0] for r in runs]
        raw = [r[1] for r in runs]
        print(f"events into async for: median {statistics.median(typed):,.0f}/s, best {max(typed):,.0f}/s (typed dataclasses)")
        print(f"raw native batches:     median {statistics.median(raw):,.0f}/s, best {max(raw):,.0f}/s (JSON text, no parsing)")
    if "tool" in which:
        print(f"reference: a Python thread ping-pong round trip takes {thread_round_trip() * 1e6:.1f} µs here")
        runs = [asyncio.run(tool_round_trip(20)) | blocking_tool_round_trip(20) for _ in range(5)]
        for key in runs[0]:
            values = [r[key] for r in runs]
            print(f"{key}: median {statistics.median(values) * 1e6:.1f} µs, best {min(values) * 1e6:.1f} µs")
    if "process" in which:
        subprocess.run([sys.executable, str(Path(__file__).with_name("whole_process.py"))], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
