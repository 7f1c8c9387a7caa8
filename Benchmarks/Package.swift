// swift-tools-version:6.1
// Benchmarks of slashsim (ordo-one package-benchmark), a package of its own so that the main package's
// build and tests do not pull in the benchmark dependencies. Run from the repository root:
//   swift package --package-path Benchmarks benchmark
import PackageDescription

let package = Package(
    name: "slashsim-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "slashsim", path: ".."),
        // No traits: no malloc or runtime interposers (this machine's package mirror lacks the runtime
        // interposer); wall-clock and throughput metrics need neither.
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "SlashsimBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "SlashingRisk", package: "slashsim"),
            ],
            path: "Benchmarks/SlashsimBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    ]
)
