import ArgumentParser
import Foundation
import SlashingCore
import SlashingReports

/// `--trials`, `--seed`, `--threads`: the run settings that `run` and `sweep` share. They override the
/// scenario's `simulation:` settings.
struct RunSettingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Number of Monte Carlo trials (e.g. 1000000 or 1e6).", valueName: "N"))
    var trials: TrialCount?

    @Option(help: ArgumentHelp("Seed of the random streams, 0 to 2^64-1.", valueName: "S"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Worker threads (default: one per core). Results do not depend on it.", valueName: "T"))
    var threads: Int?

    @Option(help: ArgumentHelp("Arithmetic of an explicit matrix's multiply: double or single (faster, the same results). Default: the scenario's simulation.precision, else double.", valueName: "A"))
    var arithmetic: LatentPrecision?

    func validate() throws {
        if let trials, !(1...RunLimits.maximumTrials).contains(trials.value) {
            throw ValidationError("--trials \(trials.value) is outside 1...\(RunLimits.maximumTrials). Fix: give a positive number of trials, e.g. --trials 1000000")
        }
        if let threads, !(1...1024).contains(threads) {
            throw ValidationError("--threads \(threads) is outside 1...1024. Fix: give the number of worker threads, e.g. --threads \(ProcessInfo.processInfo.activeProcessorCount)")
        }
    }
}

/// `--quantiles`: the levels of VaR and ES, shared by `run`, `sweep` and `merge`.
struct QuantileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Comma-separated quantile levels in (0, 1), e.g. 0.99,0.999.", valueName: "LEVELS"))
    var quantiles: QuantileLevels?

    func validate() throws {
        if let bad = quantiles?.levels.first(where: { !($0 > 0 && $0 < 1) }) {
            throw ValidationError("--quantiles level \(bad) is outside (0, 1). Fix: give levels strictly between 0 and 1, e.g. --quantiles 0.99,0.999")
        }
    }
}

/// `--format` and `--output`: where the report goes and in what form, shared by `run`, `sweep` and `merge`.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "Report format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    /// The writer of `--output`, checked before any simulation; nil: standard output.
    func writer() throws -> ReportWriter? { try output.map { try ReportWriter(path: $0) } }

    /// Renders `report` in `--format` and writes it to `writer`, or to standard output.
    func emit(_ report: some RenderedReport, to writer: ReportWriter?) throws {
        let text: String
        switch format {
        case .text: text = report.text()
        case .json: text = report.json()
        case .csv: text = report.csv()
        }
        if let writer { try writer.write(text) } else { print(text, terminator: "") }
    }
}

/// `--distribution`, `--plot` and `--report`: the exports beside the report, shared by `run` and `merge`.
struct ExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write the loss distributions as CSV: exceedance probabilities on a grid of losses plus the exact tail points, for the total, each token and each portfolio (and each stress).", valueName: "FILE.csv"))
    var distribution: String?

    @Option(help: ArgumentHelp("Also draw the exceedance curves (log scale, VaR and ES marked; one curve per stress) and the top tail contributors, as SVG (or HTML when FILE ends in .html).", valueName: "FILE.svg"))
    var plot: String?

    @Option(help: ArgumentHelp("Also write a report to send: one self-contained HTML page (no scripts, nothing fetched) with the run's provenance, the total with its intervals, tokens, portfolios, the top tail contributors, exceedance plots with VaR and ES marked, and the stress comparison.", valueName: "FILE.html"))
    var report: String?

    /// The writers of the exports, checked before any simulation; nil where not asked for.
    func writers() throws -> (distribution: ReportWriter?, plot: ReportWriter?, report: ReportWriter?) {
        (try distribution.map { try ReportWriter(path: $0, flag: "--distribution") }, try plot.map { try ReportWriter(path: $0, flag: "--plot") },
         try report.map { try ReportWriter(path: $0, flag: "--report") })
    }
}

extension LatentPrecision: ExpressibleByArgument {}
