// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Classify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "classify", targets: ["classify"]),
        .library(name: "BlurDetection", targets: ["BlurDetection"]),
        .library(name: "ImageDecoding", targets: ["ImageDecoding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // System libraries (Debian: libturbojpeg0-dev, libvips-dev).
        .systemLibrary(
            name: "CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CVips", pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]),
        // Thin C adapters: Swift cannot call libvips' variadic functions, and keeping
        // glib types out of Swift keeps the module map small.
        .target(name: "CImageCodecs", dependencies: ["CTurboJPEG", "CVips"]),

        // Pure Swift blur engine: no Foundation I/O, no C.
        .target(
            name: "BlurDetection",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "ImageDecoding", dependencies: ["CImageCodecs", "BlurDetection"]),
        .target(name: "ClassifyCore", dependencies: ["BlurDetection"]),
        .target(
            name: "ClassifyApp",
            dependencies: ["BlurDetection", "ImageDecoding", "ClassifyCore"]),
        .executableTarget(
            name: "classify",
            dependencies: [
                "ClassifyApp", "ClassifyCore", "BlurDetection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "BlurDetectionTests", dependencies: ["BlurDetection"]),
        .testTarget(name: "ImageDecodingTests", dependencies: ["ImageDecoding", "BlurDetection"]),
        .testTarget(name: "ClassifyCoreTests", dependencies: ["ClassifyCore"]),
        .testTarget(
            name: "ClassifyAppTests",
            dependencies: ["ClassifyApp", "ClassifyCore", "BlurDetection", "ImageDecoding"]),
    ],
    swiftLanguageModes: [.v6]
)
