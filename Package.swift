// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "slashsim",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SlashingRisk", targets: ["SlashingRisk"]),
        .executable(name: "slashsim", targets: ["slashsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // BLAS + LAPACK from the system (Debian: libblas-dev, liblapack-dev, or OpenBLAS through update-alternatives).
        .systemLibrary(
            name: "CLAPACK",
            path: "Sources/CLAPACK",
            providers: [.apt(["libblas-dev", "liblapack-dev"])]
        ),
        // Vectorised kernels in C, dispatched at run time on the machine's instruction set.
        .target(name: "CKernels", path: "Sources/CKernels"),
        .target(
            name: "SlashingRisk",
            dependencies: [
                "CLAPACK",
                "CKernels",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Simulation/README.md"]
        ),
        .executableTarget(
            name: "slashsim",
            dependencies: [
                "SlashingRisk",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.embedInCode("Resources/default.yaml")]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "SlashingRiskTests",
            dependencies: ["SlashingRisk", "TestSupport"]
        ),
        .testTarget(
            name: "SlashsimCLITests",
            dependencies: ["slashsim", "TestSupport"]
        ),
    ]
)
