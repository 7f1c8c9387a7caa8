import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim validate FILE... [--stress FILE]... [--format text|json]`: checks scenario and stress files and
/// reports every problem in each.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario and stress files and report every problem in them.",
        discussion: """
            Each FILE is a scenario, or a stress file (recognised by its keys), which is checked against every scenario given; \
            `-` reads a scenario from standard input. Exits 0 when every file is valid, 65 when any has problems (each printed \
            with its place and fix), 66 when one cannot be read. A valid scenario also gets an estimate of the memory and time \
            its run needs. --format json prints one object listing every file, its kind, validity, problems and summary.
            """)

    @Argument(help: "Scenario files (.yaml, .yml or .json; - for standard input) and stress files.")
    var files: [String]

    @Option(help: ArgumentHelp("A stress file to check against each scenario (repeatable); stress files among FILE are found by their keys too.", valueName: "FILE"))
    var stress: [String] = []

    @Option(help: "Output format: text (problems on standard error) or json (one object on standard output).")
    var format: ValidateFormat = .text

    enum ValidateFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: ArgumentHelp("Also predict the trials a run needs for every VaR's 95 % interval half-width and every ES standard error (at the scenario's quantile levels) to be within P of the estimate (1% or 0.01), from a pilot run (up to about 2 s); `run --precision P` then finds them exactly.", valueName: "P"))
    var precision: RelativePrecision?

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input (-) is named more than once. Fix: name it once")
        }
    }

    /// One checked file, as `--format json` lists it.
    struct Checked: Encodable {
        var file: String
        var kind: String
        var valid: Bool
        var sha256: String?
        var problems: [Problem] = []
        var summary: Summary?
        /// For a stress: the scenario it was checked against, and its name.
        var base: String?
        var name: String?
        /// The file could not be read (exit 66 when no other file failed).
        var unreadable = false

        enum CodingKeys: String, CodingKey { case file, kind, valid, sha256, problems, summary, base, name }

        /// Records why the file failed.
        mutating func record(_ failure: ScenarioError) {
            if case .unreadable = failure { unreadable = true }
            problems = failure.diagnostics.map(Validate.problem)
        }

        struct Problem: Encodable {
            var file: String, line: Int?, column: Int?, path: String, problem: String, fix: String
        }
        struct Summary: Encodable {
            var name: String, operators: Int, services: Int, allocations: Int, correlation: String, trials: Int, seed: UInt64
            var estimatedMemoryBytes: Double, estimatedSeconds: Double, threads: Int
            /// With --precision: the predicted trials.
            var precision: PrecisionPrediction?
            enum CodingKeys: String, CodingKey {
                case name, operators, services, allocations, correlation, trials, seed, threads
                case estimatedMemoryBytes = "estimated_memory_bytes", estimatedSeconds = "estimated_seconds", precision
            }
        }
    }

    func run() throws {
        // Each file read and composed once: whether it is a stress, then (a scenario) its decoding.
        var composed: [String: Result<ScenarioLoader.ComposedFile, ScenarioError>] = [:]
        for file in files where file != "-" && composed[file] == nil {
            composed[file] = Result { () throws(ScenarioError) in try ScenarioLoader.composed(path: file) }
        }
        let stresses = stress + files.filter { $0 != "-" && ((try? composed[$0]?.get())?.looksLikeStress ?? false) }
        let scenarioFiles = files.filter { $0 == "-" || !stresses.contains($0) }
        var checked: [Checked] = []
        var bases: [(file: String, scenario: Scenario)] = []
        for file in scenarioFiles {
            var entry = Checked(file: file == "-" ? ScenarioLoader.standardInputName : file, kind: "scenario", valid: false)
            do {
                let scenario: Scenario
                if file == "-" {
                    let (s, data) = try ScenarioLoader.loadStandardInput()
                    scenario = s
                    entry.sha256 = SHA256.hex(data)
                } else {
                    let file = try composed[file]!.get()
                    entry.sha256 = SHA256.hex(file.data)
                    scenario = try file.scenario()
                }
                let model = try CompiledModel(scenario: scenario)
                let threads = ProcessInfo.processInfo.activeProcessorCount
                let estimate = RunEstimate.measure(model: model, trials: scenario.simulation.trials, threads: threads, seed: scenario.simulation.seed)
                entry.valid = true
                entry.summary = Checked.Summary(
                    name: scenario.name, operators: scenario.operators.count, services: scenario.services.count,
                    allocations: scenario.allocations.count, correlation: model.dependenceDescription, trials: scenario.simulation.trials,
                    seed: scenario.simulation.seed, estimatedMemoryBytes: estimate.bytes, estimatedSeconds: estimate.seconds, threads: threads)
                let prediction = precision.map {
                    PrecisionPrediction.predict(model: model, levels: Array(Set(scenario.simulation.quantiles)).sorted(), seed: scenario.simulation.seed,
                                                threads: threads, relative: $0.value,
                                                secondsPerTrial: estimate.seconds / Double(max(1, scenario.simulation.trials)))
                }
                entry.summary?.precision = prediction
                bases.append((entry.file, scenario))
                if format == .text {
                    for warning in model.warnings { StandardError.write("warning: \(entry.file): \(warning)\n") }
                    print("ok: \(entry.file) — \"\(scenario.name)\": \(scenario.operators.count) operators, \(scenario.services.count) services, "
                        + "\(scenario.allocations.count) allocations; \(model.dependenceDescription); "
                        + "\(scenario.simulation.trials) trials, seed \(scenario.simulation.seed)")
                    print("estimate: up to \(String(format: "%.0f", estimate.bytes / 1_048_576)) MiB of memory and about "
                        + "\(String(format: "%.2g", estimate.seconds)) s on \(threads) thread\(threads == 1 ? "" : "s") "
                        + "(timed on one batch of \(min(scenario.simulation.trials, RunLimits.batchSize)) trials)")
                    if let p = prediction {
                        let percent = String(format: "%g", p.relative * 100)
                        print("precision \(percent) %: about \(TextFormat.count(p.predictedTrials)) trials (limited by \(p.limitingStatistic)), about "
                            + "\(String(format: "%.2g", p.estimatedSeconds)) s; predicted from a pilot of \(TextFormat.count(p.pilotTrials)) trials"
                            + (p.note.map { " (uncertain: \($0))" } ?? "")
                            + "; `slashsim run \(entry.file) --precision \(percent)% --trials \(p.suggestedCap)` finds them")
                    }
                }
            } catch {
                let failure = Self.scenarioError(error, file: entry.file)
                entry.record(failure)
                report(failure, for: entry.file)
            }
            checked.append(entry)
        }
        for file in stresses {
            if bases.isEmpty {
                let d = Diagnostic(file: file, path: "", problem: "a stress file needs its base scenario to be checked",
                                   fix: "name the base too: slashsim validate BASE.yaml --stress \(file)")
                checked.append(Checked(file: file, kind: "stress", valid: false, problems: [Self.problem(d)]))
                report(.invalid([d]), for: file)
                continue
            }
            // Checked against every scenario given: valid when it applies to at least one (listed once per such
            // base); otherwise its problems against the first.
            var outcomes: [(base: String, entry: Checked, error: ScenarioError?)] = []
            let digest = ScenarioSource.sha256(ofFile: file)
            for base in bases {
                var entry = Checked(file: file, kind: "stress", valid: false, sha256: digest, base: base.file)
                var failure: ScenarioError?
                do {
                    let (spec, stressed) = try StressLoader.load(path: file, base: base.scenario)
                    _ = try CompiledModel(scenario: stressed)
                    entry.valid = true
                    entry.name = spec.name
                } catch {
                    failure = Self.scenarioError(error, file: file, stressed: true)
                    entry.record(failure!)
                }
                outcomes.append((base.file, entry, failure))
            }
            let passed = outcomes.filter(\.entry.valid)
            if passed.isEmpty, let first = outcomes.first {
                checked.append(first.entry)
                if let error = first.error { report(error, for: file) }
            } else {
                for outcome in passed {
                    checked.append(outcome.entry)
                    if format == .text { print("ok: \(file) — stress \"\(outcome.entry.name ?? "")\" of \(outcome.base)") }
                }
            }
        }
        if format == .json {
            struct Output: Encodable { var valid: Bool; var files: [Checked] }
            print(ReportJSON.text(Output(valid: checked.allSatisfy(\.valid), files: checked)))
        }
        let failed = checked.filter { !$0.valid }
        if !failed.isEmpty {
            // 66 only when every failure is a file that could not be read; any invalid file gives 65.
            throw failed.allSatisfy(\.unreadable) ? ExitCodes.noInput : ExitCodes.invalidScenario
        }
    }

    /// Text mode: the problems on standard error, as `run` prints them.
    private func report(_ error: ScenarioError, for file: String) {
        guard format == .text else { return }
        _ = ScenarioSource.failure(error)
    }

    /// A loading or compiling failure as the scenario error it reports (a matrix that is not positive
    /// definite, found when compiling, gets its diagnostic here).
    static func scenarioError(_ error: any Error, file: String, stressed: Bool = false) -> ScenarioError {
        if let error = error as? ScenarioError { return error }
        let minor = (error as? CholeskyFactor.NotPositiveDefinite)?.leadingMinor
        let subject = stressed ? "the stressed matrix is " : ""
        return .invalid([Diagnostic(file: file, path: "correlation.matrix",
                                    problem: minor.map { "\(subject)not positive definite (leading minor \($0))" } ?? "\(error)",
                                    fix: "lower the correlations, or add `repair: nearest`")])
    }

    static func problem(_ d: Diagnostic) -> Checked.Problem {
        Checked.Problem(file: d.file, line: d.line, column: d.column, path: d.path, problem: d.problem, fix: d.fix)
    }
}
