// swift-tools-version:5.9
// CodexSDK for Swift, as an app adds it: `.package(url: "https://github.com/codex-sdk/codex-sdk", from: "0.1.0")`
// (SwiftPM reads a package's manifest at the repository root). The Swift sources are bindings/swift's; on Apple
// platforms the Rust library comes as a prebuilt XCFramework, downloaded from the release of this version and
// verified against its checksum. bindings/swift/Package.swift is the development manifest (a local XCFramework,
// Linux, the tests).
import Foundation
import PackageDescription

// Written by bindings/swift/scripts/pack-xcframework.sh (run by build-xcframework.sh) when it packs the release
// archive: the workspace version and the SHA-256 of CodexSDKFFI-<version>.xcframework.zip.
let ffiVersion = "0.1.0"
let ffiChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

#if os(macOS) || os(iOS) || os(tvOS) || os(watchOS) || os(visionOS)
let ffi: Target = .binaryTarget(
    name: "CodexSDKFFI",
    url: "https://github.com/codex-sdk/codex-sdk/releases/download/v\(ffiVersion)/CodexSDKFFI-\(ffiVersion).xcframework.zip",
    checksum: ffiChecksum
)
let ffiLinking: [LinkerSetting] = [
    .linkedFramework("Security"),
    .linkedFramework("SystemConfiguration"),
    .linkedFramework("CoreFoundation"),
]
#else
// Elsewhere there is no prebuilt library: `cargo build --release -p codex-sdk-swift` and point CODEX_SDK_LIB_DIR
// at the folder holding libcodex_sdk_swift (default: this checkout's target/release). SwiftPM accepts these
// linker flags from a root or local (`path:`) package only, so on Linux add a checkout by path.
let libDir = ProcessInfo.processInfo.environment["CODEX_SDK_LIB_DIR"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("target/release").path
let ffi: Target = .systemLibrary(name: "CodexSDKFFI", path: "bindings/swift/Sources/CodexSDKFFI")
let ffiLinking: [LinkerSetting] = [
    .linkedLibrary("codex_sdk_swift"),
    .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
]
#endif

let package = Package(
    name: "CodexSDK",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "CodexSDK", targets: ["CodexSDK"]),
    ],
    targets: [
        ffi,
        .target(
            name: "CodexSDK",
            dependencies: ["CodexSDKFFI"],
            path: "bindings/swift/Sources/CodexSDK",
            linkerSettings: ffiLinking
        ),
    ]
)
