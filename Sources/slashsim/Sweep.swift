import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim sweep SCENARIO --set PATH=GRID [--set PATH=GRID]... [--zip]`: the scenario at every point of a grid
/// of one or more parameters, on common random numbers.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario over a grid of parameter values (common random numbers) and tabulate the results.",
        discussion: """
            PATH names values in the scenario file: keys joined by dots, list elements as [i] or [*] (all), e.g. \
            correlation.constant, operators[*].fault_probability, services[2].incident_probability, tokens[0].depeg.per_nav_loss. \
            GRID is START:STOP:STEP (inclusive) or a comma-separated list. Several --set form every combination of their values \
            (the first varies slowest); with --zip their grids, of one length, are paired instead. Every point is validated like \
            a scenario file.
            """)

    @Argument(help: "Scenario file (.yaml, .yml or .json).")
    var scenario: String

    @Option(name: .customLong("set"), help: ArgumentHelp("A parameter and its grid, e.g. correlation.constant=0.1:0.6:0.1 (repeatable: the points are every combination, or with --zip the grids side by side).", valueName: "PATH=GRID"))
    var assignments: [String]

    @Flag(help: "Pair the grids of several --set value by value (they must have the same length) instead of crossing them.")
    var zip = false

    /// Trials, seed and threads: the same for every point (common random numbers).
    @OptionGroup var settings: RunSettingOptions
    @OptionGroup var levelOptions: QuantileOptions
    @OptionGroup var outputOptions: ReportOutputOptions

    @Option(help: ArgumentHelp("Draw the chosen statistic across the grid as SVG (against the first parameter; one --set, or --zip).", valueName: "FILE.svg"))
    var plot: String?

    @Option(help: ArgumentHelp("The statistic of the plot: mean, p-loss, var, es (at the 99 % level, or the nearest below), or with --of ID: p-liquidation (a portfolio), token-es (a token, share of NAV), portfolio-es (a portfolio, ETH).", valueName: "STATISTIC"))
    var statistic: SweepStatistic = .es

    @Option(help: ArgumentHelp("The token or portfolio of --statistic p-liquidation, token-es or portfolio-es.", valueName: "ID"))
    var of: String?

    /// Largest grid accepted (points, after crossing).
    static let maximumPoints = 1000

    func validate() throws {
        let parsed = try parsedAssignments()
        if zip {
            guard parsed.count > 1 else { throw ValidationError("--zip needs two --set or more. Fix: add the parameter to pair, or drop --zip") }
            if let other = parsed.first(where: { $0.grid.count != parsed[0].grid.count }) {
                throw ValidationError("--zip pairs grids of one length, but \(parsed[0].path) has \(parsed[0].grid.count) values and \(other.path) has \(other.grid.count). Fix: give every --set the same number of values, or drop --zip to cross them")
            }
        }
        let paths = parsed.map(\.path.description)
        if let repeated = paths.first(where: { p in paths.filter { $0 == p }.count > 1 }) {
            throw ValidationError("--set \(repeated) is given twice. Fix: give each parameter once, with all its values")
        }
        let count = points(parsed).count
        if count > Self.maximumPoints {
            throw ValidationError("the sweep has \(count) points (\(parsed.map { "\($0.grid.count)" }.joined(separator: " × "))), more than \(Self.maximumPoints). Fix: use fewer values or larger steps, or --zip")
        }
        if plot != nil, parsed.count > 1, !zip {
            throw ValidationError("--plot draws one parameter, but the sweep crosses \(parsed.count). Fix: plot one --set at a time, or pair them with --zip")
        }
        if statistic.needsID != (of != nil) {
            throw ValidationError(statistic.needsID ? "--statistic \(statistic.rawValue) needs --of ID. Fix: name the \(statistic.entity) with --of" :
                "--of is for --statistic p-liquidation, token-es or portfolio-es. Fix: drop --of, or choose one of those statistics")
        }
    }

    /// Each `--set` as (path, grid).
    func parsedAssignments() throws -> [(path: ScenarioPath, grid: [Double])] {
        guard !assignments.isEmpty else { throw ValidationError("sweep needs --set PATH=GRID. Fix: write e.g. --set correlation.constant=0.1:0.6:0.1") }
        return try assignments.map(Self.parsedAssignment)
    }

    /// The points: every combination of the grids (the first parameter slowest), or with `--zip` the i-th values together.
    func points(_ parsed: [(path: ScenarioPath, grid: [Double])]) -> [[Double]] {
        if self.zip { return (0..<(parsed.first?.grid.count ?? 0)).map { i in parsed.map { $0.grid[i] } } }
        var combinations: [[Double]] = [[]]
        for (_, grid) in parsed {
            combinations = combinations.flatMap { prefix in grid.map { prefix + [$0] } }
            if combinations.count > Self.maximumPoints { return combinations }
        }
        return combinations
    }

    /// (path, grid) from one `--set`.
    static func parsedAssignment(_ assignment: String) throws -> (path: ScenarioPath, grid: [Double]) {
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
        let parsed = try parsedAssignments()
        // Build and check every point before simulating any.
        var points: [(values: [Double], scenario: Scenario, model: CompiledModel)] = []
        for values in self.points(parsed) {
            let setting = Swift.zip(parsed, values).map { (path: $0.0.path, value: Self.text($0.1)) }
            let label = "\(scenario) with " + setting.map { "\($0.path)=\($0.value)" }.joined(separator: ", ")
            var loaded: Scenario
            do { loaded = try ScenarioLoader.load(path: scenario, settings: setting, label: label) } catch {
                throw ScenarioSource.failure(error)
            }
            if let arithmetic = settings.arithmetic { loaded.simulation.precision = arithmetic }
            // The values as written into the file (so 0.1 + 2·0.1 is reported as 0.3).
            points.append((Swift.zip(values, setting).map { Double($1.value) ?? $0 }, loaded, try ScenarioSource.compile(loaded, file: label)))
        }
        if let id = of {
            let scenario0 = points[0].scenario
            let known = statistic.entity == "token" ? scenario0.tokens.map(\.id) : scenario0.portfolios.map(\.id)
            guard known.contains(id) else {
                StandardError.write("error: --of \(id): the scenario has no \(statistic.entity) \"\(id)\". Fix: name one of \(known.isEmpty ? "(none in this scenario)" : known.joined(separator: ", "))\n")
                throw ExitCodes.usage
            }
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
            report.tableFiles = ScenarioSource.tableDigests(point.scenario)
            return SweepReport.Point(values: point.values, report: report)
        }
        let sweep = SweepReport(parameters: parsed.map(\.path.description), zipped: zip, points: reports)
        try outputOptions.emit(sweep, to: writer)
        if let plotWriter, let base = reports.first?.report, let h = base.headlineLevelIndex {
            let stat = statistic.statistic(of: of)
            let path = parsed[0].path
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
    case mean, pLoss = "p-loss", `var`, es, pLiquidation = "p-liquidation", tokenES = "token-es", portfolioES = "portfolio-es"

    /// Whether the statistic is of one token or portfolio (named by `--of`).
    var needsID: Bool { [.pLiquidation, .tokenES, .portfolioES].contains(self) }
    var entity: String { self == .tokenES ? "token" : "portfolio" }

    func statistic(of id: String?) -> SweepReport.Statistic {
        switch self {
        case .mean: return .mean
        case .pLoss: return .probabilityOfLoss
        case .var: return .valueAtRisk
        case .es: return .expectedShortfall
        case .pLiquidation: return .probabilityOfLiquidation(portfolio: id ?? "")
        case .tokenES: return .tokenExpectedShortfall(token: id ?? "")
        case .portfolioES: return .portfolioExpectedShortfall(portfolio: id ?? "")
        }
    }
}
