#!/usr/bin/env bash
# The Python binding's tests, from a clean clone with only Rust and Python 3 (>= 3.9, with venv), run against
# what a user gets from PyPI:
#   1. a virtualenv at bindings/python/.venv with the pinned tools (requirements-dev.txt),
#   2. the sdist, and the abi3 wheel built once, from that sdist (`maturin build --sdist`: a file missing from
#      the sdist fails the build), with the stub `_native.pyi` generated from the Rust signatures,
#   3. generated files checked for drift (`_types.py`, `errors.py` from the protocol schema; the wheel's
#      `_native.pyi` against the committed one),
#   4. the package type-checked (mypy),
#   5. the wheel installed into a fresh virtualenv (.venv-wheel, re-created each run; never the source tree),
#      where a script runs a tool-call turn against the loopback model server, and pytest runs.
# Idempotent: the tools venv and cargo's build cache are reused. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"
python="${PYTHON:-python3}"

echo "== python binding: virtualenv"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
    echo "$want" >"$stamp"
fi
tools="$here/.venv/bin"

echo "== python binding: sdist and abi3 wheel (maturin build --sdist, debug)"
dist="$here/.venv/dist"
rm -rf "$dist"
"$tools/maturin" build --quiet --sdist --generate-stubs --out "$dist"
shopt -s nullglob
wheels=("$dist"/*.whl)
sdists=("$dist"/*.tar.gz)
shopt -u nullglob
if [ "${#wheels[@]}" != 1 ] || [ "${#sdists[@]}" != 1 ]; then
    echo "expected one wheel and one sdist in $dist, got: $(ls "$dist")" >&2
    exit 1
fi
wheel="${wheels[0]}"
sdist="${sdists[0]}"
case "$(basename "$wheel")" in
    codex_sdk_rs-*-cp39-abi3-*.whl) ;;
    *) echo "not an abi3 (cp39) wheel of codex-sdk-rs: $(basename "$wheel")" >&2; exit 1 ;;
esac
"$tools/python" - "$wheel" "$sdist" <<'PY'
import sys, tarfile, zipfile
wheel, sdist = sys.argv[1:]
names = zipfile.ZipFile(wheel).namelist()
need = ["codex_sdk/__init__.py", "codex_sdk/_native.pyi", "codex_sdk/py.typed", "codex_sdk/_types.py"]
missing = [n for n in need if n not in names] + ([] if any(n.startswith("codex_sdk/_native.") and n.endswith(".so") for n in names) else ["codex_sdk/_native.*.so"])
assert not missing, f"the wheel lacks {missing}"
members = [m.split("/", 1)[-1] for m in tarfile.open(sdist).getnames()]
for need in ["pyproject.toml", "Cargo.lock", "codex-sdk/Cargo.toml", "codex-sdk/src/lib.rs", "bindings/python/src/lib.rs", "python/codex_sdk/__init__.py", "python/codex_sdk/_native.pyi"]:
    assert any(m == need or m.endswith("/" + need) for m in members), f"the sdist lacks {need}"
import os
print(f"wheel {os.path.basename(wheel)} {os.path.getsize(wheel) / 1e6:.1f} MB; sdist {os.path.basename(sdist)} {os.path.getsize(sdist) / 1e6:.1f} MB, {len(members)} files")
PY

echo "== python binding: generated files are up to date"
generated="$(mktemp -d)"
trap 'rm -rf "$generated"' EXIT
"$tools/python" scripts/gen_types.py --out "$generated" >/dev/null
drift=0
for file in _types.py errors.py; do
    if ! diff -u "python/codex_sdk/$file" "$generated/$file"; then
        echo "python/codex_sdk/$file drifted from schema/protocol.schema.json: run scripts/gen_types.py" >&2
        drift=1
    fi
done
stub=python/codex_sdk/_native.pyi
"$tools/python" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("codex_sdk/_native.pyi"))' "$wheel" >"$generated/_native.pyi"
if ! diff -u "$stub" "$generated/_native.pyi"; then
    cp "$generated/_native.pyi" "$stub"
    echo "$stub drifted from the Rust signatures (copied from the wheel's): commit it" >&2
    drift=1
fi
[ "$drift" = 0 ]

echo "== python binding: type check (mypy, against the generated stubs)"
(cd python && "$tools/python" -m mypy --cache-dir "$here/.venv/.mypy_cache" -p codex_sdk)

echo "== python binding: the wheel in a fresh virtualenv"
venv="$here/.venv-wheel"
"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel" \
    $(grep -E '^(pytest|pytest-asyncio|pydantic)==' requirements-dev.txt)
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
# -I: isolated (no current directory or PYTHON* variables on the path), so only the installed wheel is importable.
(cd / && python -I - <<'PY'
import codex_sdk
from codex_sdk import CodexSync
from codex_sdk.testing import MockResponse, MockServer, enqueue, sse

assert "site-packages" in codex_sdk.__file__, codex_sdk.__file__
server = MockServer()
enqueue(server,
        MockResponse.sse(sse.tool_call_response("r1", "call_1", "add", '{"a": 2, "b": 40}')),
        MockResponse.sse(sse.text_response("r2", "42")))
codex = CodexSync(base_url=server.base_url, api_key="sk-test", builtin_tools=False, ephemeral=True, cwd="/tmp")

@codex.tool
def add(a: int, b: int) -> int:
    "Adds two integers."
    return a + b

result = codex.start_conversation().run("What is 2 + 40?")
assert result.final_message == "42", result
print(f"a tool-call turn against the loopback server from the installed wheel: ok (codex_sdk {codex_sdk.__version__})")
PY
)

echo "== python binding: pytest (against the installed wheel)"
python -m pytest -q -p no:cacheprovider "$@"
