#!/usr/bin/env bash
# The Swift package's `swift build` + `swift test` (XCTest) on Linux, with Debian trixie's `swiftlang`
# (Swift 6.0.3) in a debootstrap chroot: no Swift toolchain is needed on the host.
#
#   scripts/xctest-linux.sh [--build-only] [extra `swift test` arguments, e.g. --filter CancellationTests]
#
# - The chroot is made once (debootstrap minbase + swiftlang, about 2 minutes, 2.8 GB) under
#   ${CODEX_SWIFT_CHROOT:-~/.cache/codex-sdk/swift-chroot} and reused when present (it holds `.ready`).
# - The Rust library is built on the host (`cargo build -p codex-sdk-swift`, honouring CARGO_TARGET_DIR)
#   unless CODEX_SDK_LIB_DIR names the directory of an already built libcodex_sdk_swift.so.
# - /proc, /dev, the repository and the library's directory are bind-mounted for the run; a trap always
#   unmounts them, whatever happens.
# - Swift 5 language mode (Package.swift's tools version): Debian's 6.0.3 compiler crashes on
#   `-strict-concurrency=complete` (see README.md, "Swift 6 language mode").
# Needs root (debootstrap, mount, chroot), as in CI; says it is skipped otherwise, or when
# CODEX_SWIFT_XCTEST=0.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(cd ../.. && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
chroot_dir="${CODEX_SWIFT_CHROOT:-$HOME/.cache/codex-sdk/swift-chroot}"
build_only=0
if [ "${1:-}" = "--build-only" ]; then build_only=1; shift; fi

if [ "${CODEX_SWIFT_XCTEST:-1}" = 0 ]; then
    echo "== swift binding: XCTest skipped (CODEX_SWIFT_XCTEST=0)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "== swift binding: XCTest skipped (the Linux recipe needs root for debootstrap, mount and chroot)"
    exit 0
fi

# The Debian mirror this machine already uses (first deb.debian.org-like URI of its apt sources).
mirror() {
    local uri
    uri="$(grep -hoE '(URIs:|^deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* \
        2>/dev/null | grep -oE 'https?://[^ ]+' | head -1 || true)"
    echo "${uri:-http://deb.debian.org/debian}"
}

mounted=()
unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[$i]}" 2>/dev/null || true
    done
    mounted=()
}
trap unmount_all EXIT
trap 'unmount_all; exit 130' INT TERM
bind() { # bind SRC DEST (DEST inside the chroot)
    mkdir -p "$2"
    mount --bind "$1" "$2"
    mounted+=("$2")
}
mount_proc() {
    mkdir -p "$1/proc"
    mount -t proc proc "$1/proc"
    mounted+=("$1/proc")
}

# Mounts left under a directory by a run that was killed (SIGKILL skips the trap), deepest first. Nothing is
# ever deleted under a directory that still has mounts: /dev and the repository are bound in there.
unmount_stale() {
    local dir="$1" point
    awk -v dir="$dir/" 'index($2 "/", dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r point; do
        umount -l "$point" || true
    done
    if awk -v dir="$dir/" 'index($2 "/", dir) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        echo "could not unmount what a previous run left under $dir" >&2
        exit 1
    fi
}

# One run at a time on this chroot (the mounts are shared).
mkdir -p "$(dirname "$chroot_dir")"
exec 9>"$chroot_dir.lock"
flock 9
unmount_stale "$chroot_dir"

if [ ! -f "$chroot_dir/.ready" ]; then
    command -v debootstrap >/dev/null || {
        echo "== installing debootstrap (host)"
        apt-get install -y -qq debootstrap >/dev/null
    }
    staging="$chroot_dir.staging"
    unmount_stale "$staging"
    rm -rf "$staging"
    start=$SECONDS
    echo "== swift binding: creating the trixie chroot in $chroot_dir (once)"
    debootstrap --variant=minbase trixie "$staging" "$(mirror)" >"$staging.log" 2>&1 \
        || { tail -20 "$staging.log"; echo "debootstrap failed" >&2; exit 1; }
    cp /etc/resolv.conf "$staging/etc/resolv.conf"
    mount_proc "$staging"
    bind /dev "$staging/dev"
    chroot "$staging" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
        'apt-get update -qq && apt-get install -y -qq --no-install-recommends swiftlang libc6-dev libstdc++-14-dev ca-certificates >/dev/null && apt-get clean' \
        || { echo "installing swiftlang in the chroot failed" >&2; exit 1; }
    unmount_all
    touch "$staging/.ready"
    rm -rf "$chroot_dir"
    mv "$staging" "$chroot_dir"
    rm -f "$staging.log"
    echo "== swift binding: chroot ready in $((SECONDS - start)) s"
fi

if [ -n "${CODEX_SDK_LIB_DIR:-}" ]; then
    lib_dir="$(cd "$CODEX_SDK_LIB_DIR" && pwd)" # built by the caller (scripts/test.sh)
else
    echo "== swift binding: Rust library for XCTest (host)"
    (cd "$repo" && cargo build --quiet --locked -p codex-sdk-swift --lib)
    lib_dir="$target/debug"
fi
[ -f "$lib_dir/libcodex_sdk_swift.so" ] || { echo "no libcodex_sdk_swift.so in $lib_dir" >&2; exit 1; }

mount_proc "$chroot_dir"
bind /dev "$chroot_dir/dev"
bind "$repo" "$chroot_dir/repo"
bind "$lib_dir" "$chroot_dir/codex-sdk-lib"

# SwiftPM's build directory stays in the chroot (/root/swift-build), warm between runs.
run_in_chroot() {
    chroot "$chroot_dir" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
        CODEX_SDK_LIB_DIR=/codex-sdk-lib TMPDIR=/tmp \
        bash -c 'cd /repo/bindings/swift && "$@"' bash "$@"
}
start=$SECONDS
echo "== swift binding: swift build ($(run_in_chroot swift --version 2>/dev/null | head -1))"
run_in_chroot swift build --scratch-path /root/swift-build
echo "== swift binding: swift build took $((SECONDS - start)) s"
[ "$build_only" = 1 ] && exit 0
start=$SECONDS
echo "== swift binding: XCTest (swift test)"
run_in_chroot swift test --scratch-path /root/swift-build "$@"
echo "== swift binding: swift test took $((SECONDS - start)) s"
# A client package in Swift 6 language mode using CodexSDK (built in Swift 5 mode): it compiles and runs.
start=$SECONDS
echo "== swift binding: a Swift 6 language mode client (Examples/Swift6Client)"
run_in_chroot bash -c 'cd Examples/Swift6Client && swift build --quiet --scratch-path /root/swift6client-build \
    && /root/swift6client-build/debug/Swift6Client'
echo "== swift binding: Swift 6 client took $((SECONDS - start)) s"
