#!/usr/bin/env bash
# Regenerates the checked-in Swift sources of the CodexSDK package from the compiled library:
#   Sources/CodexSDK/Generated/CodexSDK.swift   uniffi's Swift bindings (library mode, not formatted)
#   Sources/CodexSDKFFI/CodexSDKFFI.h            the C header of the FFI
#   Sources/CodexSDKFFI/module.modulemap         its module map (the `CodexSDKFFI` Clang module)
#   Sources/CodexSDK/Generated/Protocol.swift    the Codable protocol types (scripts/gen_types.py)
#
#   scripts/generate.sh                 # writes into the package
#   scripts/generate.sh --out DIR       # writes the same tree under DIR (the drift check diffs it)
#   scripts/generate.sh --no-build ...  # uses the library and bindgen binary already built
#
# Builds `codex-sdk-swift` (debug, with the `bindgen` feature, which also builds the `uniffi-bindgen` binary).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here"
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "usage: $0 [--out DIR] [--no-build]" >&2; exit 2 ;;
    esac
done
target="${CARGO_TARGET_DIR:-$repo/target}"

if [ "$build" = 1 ]; then
    (cd "$repo" && cargo build --quiet --locked -p codex-sdk-swift --features bindgen)
fi
lib=""
for candidate in "$target/debug/libcodex_sdk_swift.so" "$target/debug/libcodex_sdk_swift.dylib"; do
    [ -f "$candidate" ] && lib="$candidate" && break
done
[ -n "$lib" ] || { echo "no libcodex_sdk_swift in $target/debug: build it first" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && "$target/debug/uniffi-bindgen" generate --library "$lib" --language swift --no-format \
    --out-dir "$tmp" >/dev/null)

mkdir -p "$out/Sources/CodexSDK/Generated" "$out/Sources/CodexSDKFFI"
cp "$tmp/CodexSDK.swift" "$out/Sources/CodexSDK/Generated/CodexSDK.swift"
cp "$tmp/CodexSDKFFI.h" "$out/Sources/CodexSDKFFI/CodexSDKFFI.h"
cp "$tmp/CodexSDKFFI.modulemap" "$out/Sources/CodexSDKFFI/module.modulemap"
python3 "$here/scripts/gen_types.py" --out "$out/Sources/CodexSDK/Generated" >/dev/null
echo "generated into $out/Sources"
