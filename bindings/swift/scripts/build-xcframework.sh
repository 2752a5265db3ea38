#!/usr/bin/env bash
# Builds CodexSDKFFI.xcframework beside Package.swift, on macOS with Xcode and rustup:
#   scripts/build-xcframework.sh            # macOS (arm64 + x86_64, one universal library)
#   scripts/build-xcframework.sh --ios      # also iOS devices and the iOS simulator (arm64 + x86_64)
# Release static libraries of `codex-sdk-swift` per Apple target, merged per platform with lipo, packed with
# `xcodebuild -create-xcframework` together with the generated header and module map (Sources/CodexSDKFFI).
# Then packs the release archive and writes its checksum into the root Package.swift (scripts/pack-xcframework.sh).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"
repo="$(cd ../.. && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
ios=0
[ "${1:-}" = "--ios" ] && ios=1
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-12.0}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"

targets=(aarch64-apple-darwin x86_64-apple-darwin)
[ "$ios" = 1 ] && targets+=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
    (cd "$repo" && cargo build --locked --release -p codex-sdk-swift --lib --target "$t")
done
lib() { echo "$target_dir/$1/release/libcodex_sdk_swift.a"; }

build="$here/build"
rm -rf "$build" "$here/CodexSDKFFI.xcframework"
mkdir -p "$build/macos"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$build/macos/libcodex_sdk_swift.a"
args=(-library "$build/macos/libcodex_sdk_swift.a" -headers "$here/Sources/CodexSDKFFI")
if [ "$ios" = 1 ]; then
    mkdir -p "$build/ios-simulator"
    lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
        -output "$build/ios-simulator/libcodex_sdk_swift.a"
    args+=(-library "$(lib aarch64-apple-ios)" -headers "$here/Sources/CodexSDKFFI")
    args+=(-library "$build/ios-simulator/libcodex_sdk_swift.a" -headers "$here/Sources/CodexSDKFFI")
fi
xcodebuild -create-xcframework "${args[@]}" -output "$here/CodexSDKFFI.xcframework"
echo "built $here/CodexSDKFFI.xcframework"
# The release archive (build/CodexSDKFFI-<version>.xcframework.zip) and its checksum, written into the root
# Package.swift: commit that, tag v<version>, upload the archive to the tag's release.
bash "$here/scripts/pack-xcframework.sh" "$here/CodexSDKFFI.xcframework"
