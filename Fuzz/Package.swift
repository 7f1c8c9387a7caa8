// swift-tools-version:6.0
// libFuzzer targets for every parser slashsim has (issue 18): scenarios, stress files, CSV and .npy tables,
// shard part files and checkpoints. A package of its own: a fuzz target's `main` is libFuzzer's driver.
// Fuzz/run.sh builds them (coverage instrumentation for libFuzzer, AddressSanitizer, libFuzzer without its
// main: SwiftPM makes `<target>_main` the entry point, which hands the target to LLVMFuzzerRunDriver) and
// runs each for a bounded time on its seeds; then, for as long as you like:
//   Fuzz/.build/release/CSVFuzzer -max_total_time=600 /tmp/corpus-csv Fuzz/seeds/csv
import PackageDescription

/// A fuzz target: `Sources/<name>/<name>.swift` defines the input callback and `<name>_main`.
func fuzzer(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "SlashingRisk", package: "slashsim")])
}

let package = Package(
    name: "slashsim-fuzz",
    dependencies: [.package(name: "slashsim", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        fuzzer("ScenarioFuzzer"),
        fuzzer("StressFuzzer"),
        fuzzer("CSVFuzzer"),
        fuzzer("NumPyFuzzer"),
        fuzzer("PartFuzzer"),
        fuzzer("CheckpointFuzzer"),
    ]
)
