import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim sweep SCENARIO --set PATH=GRID`: the scenario at every value of one parameter, on common random numbers.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario over a grid of one parameter's values (common random numbers) and tabulate the results.",
        discussion: """
            PATH names values in the scenario file: keys joined by dots, list elements as [i] or [*] (all), e.g. \
            correlation.constant, operators[*].fault_probability, services[2].incident_probability, tokens[0].depeg.per_nav_loss. \
            GRID is START:STOP:STEP (inclusive) or a comma-separated list. Every point is validated like a scenario file.
            """)

    @Argument(help: "Scenario file (.yaml, .yml or .json).")
    var scenario: String

    @Option(name: .customLong("set"), help: ArgumentHelp("The parameter and its grid, e.g. correlation.constant=0.1:0.6:0.1 (one --set: a sweep varies one parameter; a second is refused).", valueName: "PATH=GRID"))
    var assignments: [String]

    /// The one `--set` (validated: a second is refused rather than silently dropped).
    var assignment: String { assignments.first ?? "" }

    /// Trials, seed and threads: the same for every point (common random numbers).
    @OptionGroup var settings: RunSettingOptions
    @OptionGroup var levelOptions: QuantileOptions
    @OptionGroup var outputOptions: ReportOutputOptions

    @Option(help: ArgumentHelp("Draw the chosen statistic across the grid as SVG.", valueName: "FILE.svg"))
    var plot: String?

    @Option(help: ArgumentHelp("The statistic of the plot: mean, p-loss, var or es (at the 99 % level, or the nearest below).", valueName: "STATISTIC"))
    var statistic: SweepStatistic = .es

    /// Largest grid accepted.
    static let maximumPoints = 1000

    func validate() throws {
        if assignments.count > 1 {
            throw ValidationError("--set is given \(assignments.count) times (\(assignments.map { "--set \($0)" }.joined(separator: ", "))), but a sweep varies one parameter. Fix: keep one --set, and put the other values in the scenario file (or run one sweep per value)")
        }
        _ = try parsedAssignment()
    }

    /// (path, grid) from `--set`.
    func parsedAssignment() throws -> (ScenarioPath, [Double]) {
        guard let eq = assignment.firstIndex(of: "="), let path = ScenarioPath(String(assignment[..<eq])) else {
            throw ValidationError("--set \(assignment) is not PATH=GRID. Fix: write e.g. --set correlation.constant=0.1:0.6:0.1 or --set operators[*].fault_probability=0.01,0.02,0.05")
        }
        let spec = assignment[assignment.index(after: eq)...]
        var grid: [Double] = []
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, let start = Double(parts[0]), let stop = Double(parts[1]), let step = Double(parts[2]),
           start.isFinite, stop.isFinite, step.isFinite, step > 0, stop >= start {
            let count = Int(((stop - start) / step + 1e-9).rounded(.down)) + 1
            guard count <= Self.maximumPoints else {
                throw ValidationError("--set \(assignment) has \(count) points, more than \(Self.maximumPoints). Fix: use a larger step")
            }
            grid = (0..<count).map { start + Double($0) * step }
        } else {
            for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
                guard let x = Double(part.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                    throw ValidationError("--set \(assignment): the grid \"\(spec)\" is not START:STOP:STEP (STOP ≥ START, STEP > 0) or a list of numbers. Fix: write e.g. 0.1:0.6:0.1 or 0.1,0.3,0.5")
                }
                grid.append(x)
            }
            guard grid.count <= Self.maximumPoints else {
                throw ValidationError("--set \(assignment) has \(grid.count) points, more than \(Self.maximumPoints). Fix: use fewer values")
            }
        }
        return (path, grid)
    }

    /// A grid value as YAML text: at most 12 significant digits, so 0.1 + 2·0.1 is written 0.3.
    static func text(_ x: Double) -> String { String(format: "%.12g", x) }

    func run() throws {
        SignalGuard.install()
        let (path, grid) = try parsedAssignment()
        // Build and check every point before simulating any.
        var points: [(value: Double, scenario: Scenario, model: CompiledModel)] = []
        for value in grid {
            let label = "\(scenario) with \(path)=\(Self.text(value))"
            var loaded: Scenario
            do { loaded = try ScenarioLoader.load(path: scenario, setting: path, to: Self.text(value), label: label) } catch {
                throw ScenarioSource.failure(error)
            }
            if let arithmetic = settings.arithmetic { loaded.simulation.precision = arithmetic }
            // The value as written into the file (so 0.1 + 2·0.1 is reported as 0.3).
            points.append((Double(Self.text(value)) ?? value, loaded, try ScenarioSource.compile(loaded, file: label)))
        }
        let first = points[0].scenario
        let levels = Array(Set(levelOptions.quantiles?.levels ?? first.simulation.quantiles)).sorted()
        let n = settings.trials?.value ?? first.simulation.trials, s = settings.seed ?? first.simulation.seed
        let t = settings.threads ?? ProcessInfo.processInfo.activeProcessorCount
        for point in points {
            do {
                _ = try RunPlan(model: point.model, trials: n, seed: s, threads: t, levels: levels,
                                trialsSource: settings.trials != nil ? "--trials" : "\(scenario): simulation.trials")
            } catch {
                StandardError.write("error: \(error)\n")
                throw ExitCodes.invalidScenario
            }
        }
        let writer = try outputOptions.writer()
        let plotWriter = try plot.map { try ReportWriter(path: $0, flag: "--plot") }
        let digest = ScenarioSource.sha256(ofFile: scenario)
        let reports = points.map { point -> SweepReport.Point in
            let result = SimulationEngine(model: point.model).run(trials: n, seed: s, threads: t)
            var report = Report(scenarioName: point.scenario.name, scenarioFile: scenario, model: point.model, result: result, levels: levels)
            report.scenarioSHA256 = digest  // of the file before the point's setting
            return SweepReport.Point(value: point.value, report: report)
        }
        let sweep = SweepReport(parameter: path.description, points: reports)
        try outputOptions.emit(sweep, to: writer)
        if let plotWriter, let base = reports.first?.report, let h = base.headlineLevelIndex {
            let stat = statistic.statistic
            try plotWriter.writePlot(SVGPlot.sweep(title: base.scenario,
                                               subtitle: "\(stat.label(base, level: h)) against \(path), \(TextFormat.count(base.trials)) trials per point, seed \(base.seed)",
                                               xLabel: path.description,
                                               yLabel: stat.label(base, level: h),
                                               points: reports.map { ($0.value, stat.value($0.report, level: h)) }))
        }
    }
}

/// `--statistic` of `slashsim sweep`.
enum SweepStatistic: String, ExpressibleByArgument, CaseIterable {
    case mean, pLoss = "p-loss", `var`, es

    var statistic: SweepReport.Statistic {
        switch self {
        case .mean: return .mean
        case .pLoss: return .probabilityOfLoss
        case .var: return .valueAtRisk
        case .es: return .expectedShortfall
        }
    }
}
