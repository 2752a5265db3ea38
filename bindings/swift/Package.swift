// swift-tools-version:5.9
// CodexSDK: the codex-sdk agent core for Swift (async/await, AsyncThrowingStream events, Swift tools).
//
// The Rust library is linked as the `CodexSDKFFI` module:
// - on Apple platforms, from `CodexSDKFFI.xcframework` beside this file, built by
//   `scripts/build-xcframework.sh` (see README.md);
// - elsewhere (Linux with a Swift toolchain), from `libcodex_sdk_swift` in `CODEX_SDK_LIB_DIR`
//   (default: the workspace's `target/debug`), through the module map in `Sources/CodexSDKFFI`.
import Foundation
import PackageDescription

#if os(macOS) || os(iOS) || os(tvOS) || os(watchOS) || os(visionOS)
let ffi: Target = .binaryTarget(name: "CodexSDKFFI", path: "CodexSDKFFI.xcframework")
let ffiLinking: [LinkerSetting] = [
    .linkedFramework("Security"),
    .linkedFramework("SystemConfiguration"),
    .linkedFramework("CoreFoundation"),
]
#else
let libDir = ProcessInfo.processInfo.environment["CODEX_SDK_LIB_DIR"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../target/debug").standardized.path
let ffi: Target = .systemLibrary(name: "CodexSDKFFI", path: "Sources/CodexSDKFFI")
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
            path: "Sources/CodexSDK",
            linkerSettings: ffiLinking
        ),
        .testTarget(
            name: "CodexSDKTests",
            dependencies: ["CodexSDK"],
            path: "Tests/CodexSDKTests"
        ),
    ]
)
