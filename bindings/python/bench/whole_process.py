"""Whole-process cost: a fresh `python` that imports codex_sdk and runs one tool-call turn (a Python tool)
against a model server on loopback, wall time per process, next to the same interpreter's `python -c pass`
and `python -c "import codex_sdk"`, measured interleaved in the same run (so machine load hits all alike).
The server is the core's MockServer in another process, serving the same two responses (a tool call, then
the answer) for every turn. Run it with the interpreter of the venv the package is installed in (not a
`python3` shim on PATH, which adds its own start-up).

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
turns = int(sys.argv[1])
server = MockServer()
for i in range(turns):
    enqueue(server,
        MockResponse.sse(sse.tool_call_response("r1", f"call_{i}", "add", '{"a": 2, "b": 40}')),
        MockResponse.sse(sse.text_response("r2", "42")))
print(server.base_url, flush=True)
while server.pending:
    time.sleep(0.02)
time.sleep(0.2)
"""

SYNC_CLIENT = r"""
import os
from codex_sdk import CodexSync

codex = CodexSync(model="gpt-5-codex", base_url=os.environ["BENCH_BASE_URL"], api_key="sk-local-bench",
                  builtin_tools=False, cwd="/tmp", codex_home=os.environ["BENCH_CODEX_HOME"])

@codex.tool
def add(a: int, b: int) -> int:
    "Adds two integers."
    return a + b

result = codex.start_conversation().run("What is 2 + 40?")
assert result.final_message == "42", result
"""

ASYNC_CLIENT = r"""
import asyncio, os
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


def wall(argv: list, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True)
    return time.perf_counter() - started


def import_time_us(env: dict) -> int:
    """`codex_sdk`'s cumulative import time as `-X importtime` reports it (µs)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import codex_sdk"], env=env, check=True,
                         capture_output=True, text=True).stderr
    line = next(line for line in err.splitlines() if line.rstrip().endswith("| codex_sdk"))
    return int(line.split("|")[1])


def main(runs: int) -> None:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(2 * (runs + 1))], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    home = tempfile.mkdtemp(prefix="codex-bench-")  # the turn is recorded, as the CLI records it
    env = {"BENCH_BASE_URL": base_url, "BENCH_CODEX_HOME": home, "PATH": "/usr/bin:/bin"}
    kinds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import codex_sdk'": [sys.executable, "-c", "import codex_sdk"],
        "CodexSync: import + one tool-call turn over HTTP": [sys.executable, "-c", SYNC_CLIENT],
        "async Codex: import + asyncio + one tool-call turn over HTTP": [sys.executable, "-c", ASYNC_CLIENT],
    }
    walls: dict = {kind: [] for kind in kinds}
    for i in range(runs + 1):  # interleaved; the first round warms the page cache
        for kind, argv in kinds.items():
            elapsed = wall(argv, env)
            if i:
                walls[kind].append(elapsed)
    server.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)
    bare = statistics.median(walls["python -c pass"])
    for kind, values in walls.items():
        values.sort()
        p50 = statistics.median(values)
        print(f"{kind}: p50 {p50 * 1e3:.1f} ms, best {values[0] * 1e3:.1f} ms, {p50 / bare:.2f}x `python -c pass` (n={len(values)})")
    imports = sorted(import_time_us(env) for _ in range(10))
    print(f"import codex_sdk (-X importtime, cumulative): p50 {statistics.median(imports) / 1e3:.2f} ms; wall over "
          f"`python -c pass`: {(statistics.median(walls[list(kinds)[1]]) - bare) * 1e3:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
