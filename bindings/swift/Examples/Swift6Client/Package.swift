// swift-tools-version:6.0
// A client in Swift 6 language mode (complete concurrency checking, data-race errors) that depends on
// CodexSDK, which builds in Swift 5 mode: language modes are per module, so Swift 6 apps use the package as
// is. scripts/xctest-linux.sh builds it on every run (see README.md, "Swift 6 language mode").
import PackageDescription

let package = Package(
    name: "Swift6Client",
    platforms: [.macOS(.v12), .iOS(.v15)],
    dependencies: [.package(name: "CodexSDK", path: "../..")],
    targets: [
        .executableTarget(
            name: "Swift6Client",
            dependencies: [.product(name: "CodexSDK", package: "CodexSDK")]
        ),
    ]
)
