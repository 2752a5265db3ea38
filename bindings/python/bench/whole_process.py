"""Whole-process cost: a fresh `python` that imports codex_sdk and runs one tool-call turn (a Python tool)
against a model server on loopback, wall time per process. The server is the core's MockServer in another
process, serving the same two responses (a tool call, then the answer) for every run.

    python bench/whole_process.py [runs]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SERVER = r"""
import sys, time
from codex_sdk.testing import MockResponse, MockServer, enqueue, sse
runs = int(sys.argv[1])
server = MockServer()
for i in range(runs):
    enqueue(server,
        MockResponse.sse(sse.tool_call_response("r1", f"call_{i}", "add", '{"a": 2, "b": 40}')),
        MockResponse.sse(sse.text_response("r2", "42")))
print(server.base_url, flush=True)
while server.pending:
    time.sleep(0.02)
time.sleep(0.2)
"""

CLIENT = r"""
import asyncio, os, sys
from codex_sdk import Codex

codex = Codex(model="gpt-5-codex", base_url=os.environ["BENCH_BASE_URL"], api_key="sk-local-bench",
              builtin_tools=False, cwd="/tmp", codex_home=os.environ["BENCH_CODEX_HOME"])

@codex.tool
def add(a: int, b: int) -> int:
    "Adds two integers."
    return a + b

async def main():
    conversation = await codex.start_conversation()
    result = await conversation.run("What is 2 + 40?")
    assert result.final_message == "42", result

asyncio.run(main())
"""


def main(runs: int) -> None:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(runs + 1)], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    home = tempfile.mkdtemp(prefix="codex-bench-")  # the turn is recorded, as the CLI records it
    env = {"BENCH_BASE_URL": base_url, "BENCH_CODEX_HOME": home, "PATH": "/usr/bin:/bin"}
    walls = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CLIENT], env=env, check=True)
        walls.append(time.perf_counter() - started)
    server.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)
    walls = sorted(walls[1:])  # the first run warms the page cache
    p90 = walls[int(len(walls) * 0.9) - 1]
    print(f"whole process (import + one tool-call turn over HTTP): p50 {statistics.median(walls) * 1e3:.1f} ms, "
          f"p90 {p90 * 1e3:.1f} ms, best {walls[0] * 1e3:.1f} ms (n={len(walls)})")
    startup = []
    for _ in range(10):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        startup.append(time.perf_counter() - started)
    print(f"  for reference, a bare `python -c pass`: p50 {statistics.median(startup) * 1e3:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
