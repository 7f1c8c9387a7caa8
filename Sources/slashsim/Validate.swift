import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim validate SCENARIO`: checks a scenario and reports every problem.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario file and report every problem in it.",
        discussion: "Exits 0 when the file is valid, 65 when it has problems (each printed with its place and fix), 66 when it cannot be read. A valid file also gets an estimate of the memory and time its run needs.")

    @Argument(help: "Scenario file (.yaml, .yml or .json).")
    var scenario: String

    func run() throws {
        let (loaded, file, _) = try ScenarioSource.load(scenario)
        let model = try ScenarioSource.compile(loaded, file: file)
        let s = loaded
        print("ok: \(file) — \"\(s.name)\": \(s.operators.count) operators, \(s.services.count) services, "
            + "\(s.allocations.count) allocations; \(model.dependenceDescription); "
            + "\(s.simulation.trials) trials, seed \(s.simulation.seed)")
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let estimate = RunEstimate.measure(model: model, trials: s.simulation.trials, threads: threads, seed: s.simulation.seed)
        print("estimate: up to \(String(format: "%.0f", estimate.bytes / 1_048_576)) MiB of memory and about "
            + "\(String(format: "%.2g", estimate.seconds)) s on \(threads) thread\(threads == 1 ? "" : "s") "
            + "(timed on one batch of \(min(s.simulation.trials, RunLimits.batchSize)) trials)")
    }
}
