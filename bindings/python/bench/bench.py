"""Benchmarks of the Python binding. Build the extension in release first:

    maturin develop --release && python bench/bench.py [events] [tool] [process]

- events: events per second delivered into `async for` (a scripted turn of many deltas), and the same
  drained as raw native batches (what the conversion to dataclasses costs).
- tool: the overhead of one Python tool call round trip, against the same turn loop calling a tool that is
  not registered (answered by the core, no Python involved).
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

from codex_sdk import Codex, ScriptedModel, ScriptedResponse


def codex_over(*responses: ScriptedResponse) -> Codex:
    return Codex(model_client=ScriptedModel(responses), builtin_tools=False, cwd="/tmp", instructions="bench")


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
    def turn(name: str) -> list:
        return [ScriptedResponse.tool_call(name, {"x": 1}) for _ in range(calls)] + [ScriptedResponse.text("ok")]

    async def timed(make) -> float:
        # Short turns in fresh conversations: the history (and so each request) stays small.
        per_call = []
        for _ in range(30):
            conversation = await make().start_conversation()
            started = time.perf_counter()
            await conversation.run("go")
            per_call.append((time.perf_counter() - started) / calls)
        return statistics.median(per_call)

    baseline = await timed(lambda: codex_over(*turn("missing")))

    def with_sync_tool() -> Codex:
        codex = codex_over(*turn("noop"))

        @codex.tool
        def noop(x: int) -> str:
            """Does nothing."""
            return "ok"

        return codex

    def with_async_tool() -> Codex:
        codex = codex_over(*turn("anoop"))

        @codex.tool
        async def anoop(x: int) -> str:
            """Does nothing, asynchronously."""
            return "ok"

        return codex

    sync_call = await timed(with_sync_tool)
    async_call = await timed(with_async_tool)
    return {
        "turn loop per call, unregistered tool (Rust only)": baseline,
        "sync Python tool per call": sync_call,
        "async Python tool per call": async_call,
        "sync tool overhead": sync_call - baseline,
        "async tool overhead": async_call - baseline,
    }


def main(which: list[str]) -> None:
    which = which or ["events", "tool", "process"]
    if "events" in which:
        runs = [asyncio.run(events_per_second(200_000)) for _ in range(5)]
        typed = [r[0] for r in runs]
        raw = [r[1] for r in runs]
        print(f"events into async for: median {statistics.median(typed):,.0f}/s, best {max(typed):,.0f}/s (typed dataclasses)")
        print(f"raw native batches:     median {statistics.median(raw):,.0f}/s, best {max(raw):,.0f}/s (JSON text, no parsing)")
    if "tool" in which:
        runs = [asyncio.run(tool_round_trip(20)) for _ in range(5)]
        for key in runs[0]:
            values = [r[key] for r in runs]
            print(f"{key}: median {statistics.median(values) * 1e6:.1f} µs, best {min(values) * 1e6:.1f} µs")
    if "process" in which:
        subprocess.run([sys.executable, str(Path(__file__).with_name("whole_process.py"))], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
