#!/usr/bin/env bash
# The Swift binding's checks, from a clean clone with Rust and Python 3 (Swift comes from a chroot on Linux):
#   1. builds the library (debug cdylib + staticlib) and the pinned `uniffi-bindgen` (feature `bindgen`),
#   2. regenerates the Swift sources into a temporary directory and fails if the checked-in ones drifted
#      (uniffi's Swift + header + module map, and the Codable types from the protocol schema),
#   3. generates uniffi's *Python* bindings from the same library, copies the library beside them, and runs
#      the proof suite (tests/, stdlib unittest) through them: only what the XCTest suite does not cover,
#   4. `swift build` + `swift test` (the XCTest suite, Tests/CodexSDKTests) with a real Swift compiler.
# Honours CARGO_TARGET_DIR. Extra arguments go to the suite runner (-q for quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"
repo="$(cd ../.. && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
python="${PYTHON:-python3}"

echo "== swift binding: build (library + uniffi-bindgen)"
(cd "$repo" && cargo build --quiet --locked -p codex-sdk-swift --features bindgen)
lib=""
for candidate in "$target/debug/libcodex_sdk_swift.so" "$target/debug/libcodex_sdk_swift.dylib"; do
    [ -f "$candidate" ] && lib="$candidate" && break
done
[ -n "$lib" ] || { echo "the library was not built" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== swift binding: generated Swift sources are up to date"
CARGO_TARGET_DIR="$target" scripts/generate.sh --no-build --out "$tmp/package" >/dev/null
drift=0
for file in Sources/CodexSDK/Generated/CodexSDK.swift Sources/CodexSDK/Generated/Protocol.swift \
    Sources/CodexSDKFFI/CodexSDKFFI.h Sources/CodexSDKFFI/module.modulemap; do
    if ! diff -u "$file" "$tmp/package/$file" >"$tmp/diff" 2>&1; then
        head -40 "$tmp/diff"
        echo "bindings/swift/$file drifted from the library or the schema: run bindings/swift/scripts/generate.sh" >&2
        drift=1
    fi
done
# Every protocol custom type must map onto its Codable type (uniffi.toml); unmapped ones become String.
if grep -nE '^public typealias [A-Za-z]+ = String$' Sources/CodexSDK/Generated/CodexSDK.swift; then
    echo "a custom type of src/json.rs has no [bindings.swift.custom_types.*] entry in uniffi.toml" >&2
    drift=1
fi
[ "$drift" = 0 ]

echo "== swift binding: uniffi Python bindings of the same library"
mkdir -p "$tmp/python"
"$target/debug/uniffi-bindgen" generate --library "$lib" --language python --no-format \
    --out-dir "$tmp/python" >/dev/null
cp "$lib" "$tmp/python/"

# The XCTest suite with a real Swift compiler, against the library just built (Package.swift links it from
# CODEX_SDK_LIB_DIR on Linux; on macOS it needs CodexSDKFFI.xcframework: scripts/build-xcframework.sh).
# With a host toolchain it runs directly; on Linux without one, in a cached Debian trixie chroot with
# `swiftlang` (scripts/xctest-linux.sh: needs root, as in CI).
if command -v swift >/dev/null 2>&1 && { [ "$(uname)" != Darwin ] || [ -d CodexSDKFFI.xcframework ]; }; then
    echo "== swift binding: XCTest (swift test, host toolchain)"
    CODEX_SDK_LIB_DIR="$(dirname "$lib")" swift test
elif [ "$(uname)" = Linux ]; then
    CODEX_SDK_LIB_DIR="$(dirname "$lib")" scripts/xctest-linux.sh
else
    echo "== swift binding: XCTest skipped (no Swift toolchain, no CodexSDKFFI.xcframework)"
fi

# Last, so its plain 'swift-proof: N passed, N failed' line closes the run's output.
echo "== swift binding: proof suite (Python through the Swift binding's FFI)"
CODEX_SWIFT_PROOF_BINDINGS="$tmp/python" "$python" tests/run.py "$@"
