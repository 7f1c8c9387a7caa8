import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim merge PART...`: joins the shard part files of one run into its report.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the part files of a sharded run (`slashsim run --shard I/N`) into the report of the whole run.",
        discussion: "The merged report is the single-machine report of the same scenario, seed and trials, number for number (without risk contributions, which need a replay of the whole run). A missing, duplicated or foreign part is an error naming it.")

    @Argument(help: "The part files (e.g. part-*.slashsim).")
    var parts: [String] = []

    /// Default levels: those of the run.
    @OptionGroup var levelOptions: QuantileOptions
    @OptionGroup var outputOptions: ReportOutputOptions

    @OptionGroup var exports: ExportOptions

    func validate() throws {
        if parts.isEmpty { throw ValidationError("no part files given. Fix: name the part files of one run, e.g. slashsim merge part-*.slashsim") }
    }

    func run() throws {
        var loaded: [(file: String, part: ShardPart)] = []
        for file in parts {
            guard FileManager.default.fileExists(atPath: file) else {
                StandardError.write("error: \(file): no such file. Fix: check the path of the part file\n")
                throw ExitCodes.noInput
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                StandardError.write("error: \(file): cannot be read. Fix: check the file's permissions\n")
                throw ExitCodes.noInput
            }
            do { loaded.append((file, try ShardPart(data: data))) } catch {
                StandardError.write("error: \(file): \(error.description). Fix: recompute this shard\n")
                throw ExitCodes.invalidScenario
            }
        }
        let ordered: [ShardPart]
        do { ordered = try ShardMerge.ordered(loaded) } catch {
            StandardError.write("error: \(error.description)\n")
            throw ExitCodes.invalidScenario
        }
        let header = ordered[0].header
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.decode(data: Data(ordered[0].scenarioText.utf8), file: header.scenarioFile,
                                                 format: ScenarioSyntax(path: header.scenarioFile))
        } catch {
            throw ScenarioSource.failure(error)
        }
        let model = try ScenarioSource.compile(scenario, file: header.scenarioFile)
        let writer = try outputOptions.writer()
        let (distributionWriter, plotWriter, pageWriter) = try exports.writers()
        let levels = Array(Set(levelOptions.quantiles?.levels ?? header.levels)).sorted()
        let result = SimulationEngine(model: model).merge(ordered.map(\.outcome), trials: header.trials, seed: header.seed)
        var report = Report(scenarioName: scenario.name, scenarioFile: header.scenarioFile, model: model, result: result, levels: levels)
        report.scenarioSHA256 = SHA256.hex(Array(ordered[0].scenarioText.utf8))  // the scenario the shards ran, as they read it
        report.tableFiles = ScenarioSource.tableDigests(scenario)
        try outputOptions.emit(report, to: writer)
        if let distributionWriter {
            try distributionWriter.write(ExceedanceCurve.csv(ExceedanceCurve.curves(of: result, report: report, scenario: "base")))
        }
        if let plotWriter {
            try plotWriter.writePlot(SVGPlot.render(title: report.scenario, subtitle: "exceedance of the total principal loss, \(TextFormat.count(report.trials)) trials, seed \(report.seed), merged from \(header.shardCount) shards",
                                                curves: [("merged", ExceedanceCurve.of(result.distribution), report)]))
        }
        if let pageWriter {
            let run = HTMLReport.Run(label: "base", name: scenario.name, file: header.scenarioFile, sha256: report.scenarioSHA256, report: report,
                                     result: result)
            try pageWriter.write(HTMLReport(base: run, stresses: [], command: Run.commandLine).html())
        }
    }
}
