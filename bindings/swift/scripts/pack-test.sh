#!/usr/bin/env bash
# The release archive path, on any OS: packs a stand-in XCFramework (the structure xcodebuild writes, with
# this checkout's header and module map) with scripts/pack-xcframework.sh into a copy of the root
# Package.swift, and checks that the zip is valid with CodexSDKFFI.xcframework/ at its root, that the
# manifest's checksum is the zip's SHA-256, that packing is reproducible, and that the committed manifest
# is in sync with the script (same version as Cargo.toml; only the checksum line changes).
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"
repo="$(cd ../.. && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fake="$work/CodexSDKFFI.xcframework"
mkdir -p "$fake/macos-arm64_x86_64/Headers"
cp Sources/CodexSDKFFI/* "$fake/macos-arm64_x86_64/Headers/"
printf '!<arch>\n' > "$fake/macos-arm64_x86_64/libcodex_sdk_swift.a"
cat > "$fake/Info.plist" <<'PLIST'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>AvailableLibraries</key><array><dict>
    <key>HeadersPath</key><string>Headers</string>
    <key>LibraryIdentifier</key><string>macos-arm64_x86_64</string>
    <key>LibraryPath</key><string>libcodex_sdk_swift.a</string>
    <key>SupportedArchitectures</key><array><string>arm64</string><string>x86_64</string></array>
    <key>SupportedPlatform</key><string>macos</string>
  </dict></array>
  <key>CFBundlePackageType</key><string>XFWK</string>
  <key>XCFrameworkFormatVersion</key><string>1.0</string>
</dict></plist>
PLIST

cp "$repo/Package.swift" "$work/Package.swift"
read -r archive checksum < <(bash scripts/pack-xcframework.sh "$fake" --manifest "$work/Package.swift" --out "$work/out")
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
[ "$(basename "$archive")" = "CodexSDKFFI-$version.xcframework.zip" ] || { echo "unexpected archive name $archive"; exit 1; }
[ "$(sha256sum "$archive" | cut -d' ' -f1)" = "$checksum" ] || { echo "checksum is not the zip's SHA-256"; exit 1; }
python3 - "$archive" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zf:
    assert zf.testzip() is None, "corrupt member"
    names = zf.namelist()
    assert all(n.startswith("CodexSDKFFI.xcframework/") for n in names), names
    for want in ("Info.plist", "macos-arm64_x86_64/libcodex_sdk_swift.a", "macos-arm64_x86_64/Headers/module.modulemap"):
        assert "CodexSDKFFI.xcframework/" + want in names, (want, names)
PY
grep -q "^let ffiChecksum = \"$checksum\"$" "$work/Package.swift" || { echo "checksum not written"; exit 1; }
grep -q 'releases/download/v\\(ffiVersion)/CodexSDKFFI-\\(ffiVersion).xcframework.zip' "$work/Package.swift" \
    || { echo "the binaryTarget URL does not name the versioned archive"; exit 1; }

# Reproducible: the same XCFramework packs to the same bytes.
read -r _ again < <(bash scripts/pack-xcframework.sh "$fake" --manifest "$work/Package.swift" --out "$work/out2")
[ "$again" = "$checksum" ] || { echo "packing is not reproducible ($checksum, then $again)"; exit 1; }

# In sync: the committed manifest differs from the script's output in the checksum line only.
changed="$(diff "$repo/Package.swift" "$work/Package.swift" | grep '^[<>]' | grep -v '^[<>] let ffiChecksum = ' || true)"
if [ -n "$changed" ]; then
    echo "Package.swift is out of sync with scripts/pack-xcframework.sh (version $version):"
    echo "$changed"
    exit 1
fi
echo "swift archive: ok ($(basename "$archive") $checksum)"
