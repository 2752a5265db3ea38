#!/usr/bin/env bash
# Packs an XCFramework into the versioned archive SwiftPM downloads, and writes the archive's version and
# checksum into the distribution manifest (the repository's root Package.swift), so that
# `.package(url: "https://github.com/codex-sdk/codex-sdk", from: "X.Y.Z")` resolves to exactly this archive:
#   scripts/pack-xcframework.sh [XCFRAMEWORK] [--manifest FILE] [--out DIR]
# XCFRAMEWORK defaults to CodexSDKFFI.xcframework beside Package.swift (scripts/build-xcframework.sh builds it,
# on a Mac, and then calls this script). The archive, DIR/CodexSDKFFI-<version>.xcframework.zip (DIR defaults
# to build/), holds CodexSDKFFI.xcframework/ at its root, files in name order with fixed timestamps, so the
# same XCFramework always gives the same bytes. Its checksum is what `swift package compute-checksum` prints:
# the SHA-256 of the zip. The version is the workspace's (Cargo.toml); the release uploads the archive as
# https://github.com/codex-sdk/codex-sdk/releases/download/v<version>/CodexSDKFFI-<version>.xcframework.zip.
# Prints `<archive> <checksum>`. Runs anywhere with python3 (no Apple tools needed).
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"
repo="$(cd ../.. && pwd)"
xcframework="$here/CodexSDKFFI.xcframework"
manifest="$repo/Package.swift"
out="$here/build"
while [ $# -gt 0 ]; do
    case "$1" in
        --manifest) manifest="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) xcframework="$1"; shift ;;
    esac
done
if [ ! -f "$xcframework/Info.plist" ]; then
    echo "$xcframework is not an XCFramework (no Info.plist): build it with scripts/build-xcframework.sh" >&2
    exit 1
fi
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
mkdir -p "$out"
archive="$out/CodexSDKFFI-$version.xcframework.zip"

python3 - "$xcframework" "$archive" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
entries = []
for dirpath, dirnames, filenames in os.walk(src):
    dirnames.sort()
    rel = os.path.relpath(dirpath, src)
    base = "CodexSDKFFI.xcframework" if rel == "." else os.path.join("CodexSDKFFI.xcframework", rel)
    entries.append((base + "/", None))
    for name in sorted(filenames):
        entries.append((os.path.join(base, name), os.path.join(dirpath, name)))
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
    for arcname, path in entries:
        info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
        if path is None:
            info.external_attr = (0o40755 << 16) | 0x10
            zf.writestr(info, b"")
        else:
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                zf.writestr(info, f.read())
EOF
checksum="$(sha256sum "$archive" | cut -d' ' -f1)"

# The manifest's two generated lines.
sed -i \
    -e "s/^let ffiVersion = \".*\"$/let ffiVersion = \"$version\"/" \
    -e "s/^let ffiChecksum = \".*\"$/let ffiChecksum = \"$checksum\"/" \
    "$manifest"
if ! grep -q "^let ffiChecksum = \"$checksum\"$" "$manifest" || ! grep -q "^let ffiVersion = \"$version\"$" "$manifest"; then
    echo "$manifest has no 'let ffiVersion = \"…\"' / 'let ffiChecksum = \"…\"' lines to update" >&2
    exit 1
fi
echo "$archive $checksum"
