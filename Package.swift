// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Classify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "classify", targets: ["classify"]),
        .executable(name: "classify-fakes", targets: ["classify-fakes"]),
        .library(name: "BlurDetection", targets: ["BlurDetection"]),
        .library(name: "ImageDecoding", targets: ["ImageDecoding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/async-kit", from: "1.22.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
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
            name: "ClassifyStore",
            dependencies: [
                "ClassifyCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ]),
        // Google OAuth / OpenID Connect (and later Picker + Library) clients.
        .target(
            name: "ClassifyGoogle",
            dependencies: [
                "ClassifyCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Photo tagging with an OpenAI-compatible vision model (behind ClassifyCore's `Tagger`).
        .target(
            name: "ClassifyAI",
            dependencies: [
                "ClassifyCore", "ImageDecoding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "ClassifyServices",
            dependencies: [
                "ClassifyCore", "ClassifyStore", "ClassifyGoogle", "ImageDecoding", "BlurDetection",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "ClassifyWeb",
            dependencies: [
                "ClassifyCore", "ClassifyStore", "ClassifyServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Page templates (Mustache), static CSS/JS, the OpenAPI document.
            resources: [.copy("Resources")]),
        .target(
            name: "ClassifyApp",
            dependencies: [
                "BlurDetection", "ImageDecoding", "ClassifyCore", "ClassifyStore", "ClassifyServices", "ClassifyWeb",
                "ClassifyGoogle", "ClassifyAI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "classify",
            dependencies: [
                "ClassifyApp", "ClassifyCore", "BlurDetection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .testTarget(name: "BlurDetectionTests", dependencies: ["BlurDetection"]),
        .testTarget(name: "ImageDecodingTests", dependencies: ["ImageDecoding", "BlurDetection"]),
        .testTarget(name: "ClassifyCoreTests", dependencies: ["ClassifyCore"]),
        .testTarget(name: "ClassifyStoreTests", dependencies: ["ClassifyStore", "ClassifyCore"]),
        .testTarget(
            name: "ClassifyWebTests",
            dependencies: [
                "ClassifyWeb", "ClassifyStore", "ClassifyCore", "ClassifyServices", "ImageDecoding",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "ClassifyAppTests",
            dependencies: [
                "ClassifyApp", "ClassifyCore", "BlurDetection", "ImageDecoding", "ClassifyServices", "ClassifyStore",
                "ClassifyGoogle", "ClassifyTestSupport",
            ]),

        // Fake Google (OAuth/OIDC, Picker, Library, image bytes) for tests and demos.
        .target(
            name: "ClassifyTestSupport",
            dependencies: [
                "ImageDecoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "classify-fakes",
            dependencies: [
                "ClassifyTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "ClassifyTestSupportTests",
            dependencies: [
                "ClassifyTestSupport", "ImageDecoding",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "ClassifyGoogleTests",
            dependencies: [
                "ClassifyGoogle", "ClassifyTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "ClassifyAITests",
            dependencies: [
                "ClassifyAI", "ClassifyCore", "ClassifyTestSupport", "ImageDecoding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
