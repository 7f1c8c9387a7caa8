// swift-tools-version:6.0
import PackageDescription

// Targets are the architecture; arrows point one way (the compiler refuses any other import):
//
//   slashsim (CLI) ─┬─> ScenarioFormat ──┐
//                   ├─> SlashingReports ─┼─> SlashingCore ─┬─> CKernels
//                   └─> BatchFiles ──────┘                 └─> CLAPACK (system BLAS/LAPACK)
//
// SlashingCore knows no file format and prints nothing; ScenarioFormat is the only module that imports Yams.
let package = Package(
    name: "slashsim",
    products: [
        .library(name: "SlashingRisk", targets: ["SlashingCore", "ScenarioFormat", "SlashingReports", "BatchFiles"]),
        .executable(name: "slashsim", targets: ["slashsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Documentation only: `swift package generate-documentation --target SlashingCore` (builds nothing otherwise).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // BLAS + LAPACK from the system (Debian: libblas-dev, liblapack-dev, or OpenBLAS through update-alternatives).
        .systemLibrary(
            name: "CLAPACK",
            path: "Sources/CLAPACK",
            providers: [.apt(["libblas-dev", "liblapack-dev"])]
        ),
        // Vectorised kernels in C, dispatched at run time on the machine's instruction set.
        .target(name: "CKernels", path: "Sources/CKernels", exclude: ["README.md"]),
        // The numeric core: model, random streams, correlation algebra, simulation, statistics.
        .target(
            name: "SlashingCore",
            dependencies: ["CLAPACK", "CKernels"],
            exclude: ["README.md", "Simulation/README.md"]
        ),
        // Scenario files: reading with positions, diagnostics, validation, stresses, and the compile step to the core's model.
        .target(
            name: "ScenarioFormat",
            dependencies: ["SlashingCore", .product(name: "Yams", package: "Yams")],
            exclude: ["README.md"]
        ),
        // Reports of results: text, JSON, CSV, SVG/HTML plots, distribution export, stress and sweep tables.
        .target(name: "SlashingReports", dependencies: ["SlashingCore"], exclude: ["README.md"]),
        // Batch files: shard part files, checksums, merge.
        .target(name: "BatchFiles", dependencies: ["SlashingCore"], exclude: ["README.md"]),
        .executableTarget(
            name: "slashsim",
            dependencies: [
                "SlashingCore", "ScenarioFormat", "SlashingReports", "BatchFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.embedInCode("Resources/default.yaml")]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "SlashingRiskTests",
            dependencies: ["SlashingCore", "ScenarioFormat", "SlashingReports", "BatchFiles", "TestSupport"],
            exclude: ["Fixtures"]  // read by path (NumPy-written .npy files and their generator)
        ),
        .testTarget(
            name: "SlashsimCLITests",
            dependencies: ["slashsim", "ScenarioFormat", "SlashingCore", "SlashingReports", "BatchFiles", "TestSupport"]
        ),
    ]
)
