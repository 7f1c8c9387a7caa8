// swift-tools-version:6.0
// A libFuzzer target for the scenario decoder and validator, a package of its own because a fuzz target
// has no `main` (libFuzzer supplies it). Build and run from the repository root (see README, "Tests"):
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   mkdir -p /tmp/slashsim-corpus && Fuzz/.build/release/ScenarioFuzzer /tmp/slashsim-corpus Scenarios -max_total_time=600
import PackageDescription

let package = Package(
    name: "slashsim-fuzz",
    dependencies: [.package(name: "slashsim", path: "..")],
    targets: [
        .executableTarget(
            name: "ScenarioFuzzer",
            dependencies: [.product(name: "SlashingRisk", package: "slashsim")]
        )
    ]
)
