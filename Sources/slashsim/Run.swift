import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim run [SCENARIO]`: simulates a scenario and prints its loss report.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and print its loss report.",
        discussion: "Without SCENARIO, runs the bundled default scenario (Scenarios/default.yaml). Flags override the scenario's `simulation:` settings.")

    @Argument(help: "Scenario file (.yaml, .yml or .json), or - for standard input (JSON or YAML, detected); omitted: the bundled default scenario.")
    var scenario: String?

    @OptionGroup var settings: RunSettingOptions
    @OptionGroup var levelOptions: QuantileOptions
    @OptionGroup var outputOptions: ReportOutputOptions

    @Flag(help: "Do not show progress on standard error.")
    var quiet = false

    @Option(help: ArgumentHelp("Stop starting new batches after this many seconds and report the trials done, labelled as partial (exit code 75).", valueName: "SECONDS"))
    var maxSeconds: Double?

    @Flag(help: "Run even when the memory estimate exceeds 80 % of the available memory.")
    var noMemoryCheck = false

    @Option(help: ArgumentHelp("A stress file applied to the scenario (repeatable): each runs with the same seed and trials (common random numbers) and the report compares them with the base.", valueName: "FILE"))
    var stress: [String] = []

    @Option(help: ArgumentHelp("How samples are kept: in-memory (every losing trial, the default) or bounded (memory independent of the trial count: two passes over the same random streams, about twice the time; same VaR).", valueName: "MODE"))
    var memory: MemoryOption = .inMemory

    @OptionGroup var exports: ExportOptions

    @Option(help: ArgumentHelp("Compute only shard I of N (0 ≤ I < N) of the run and write it as a binary part to --output; `slashsim merge` joins the N parts into the report of the whole run.", valueName: "I/N"))
    var shard: ShardArgument?

    @Flag(help: "Importance-sample the common factors (Glasserman–Li mean shift aimed at the highest quantile level, chosen with a short pilot run): every trial is weighted by its likelihood ratio, and the tail statistics need far fewer trials. Needs a constant, factor or derived correlation.")
    var importanceSampling = false

    @Option(help: ArgumentHelp("Run until every requested VaR's 95 % interval half-width and every ES standard error are within P of the estimate (1% or 0.01), checking at 16, 32, 64, … batches up to the run's trials (--trials or simulation.trials: the cap). The report is that of a fixed run of the trials found, and says whether the target was met.", valueName: "P"))
    var precision: RelativePrecision?

    @Option(help: ArgumentHelp("Keep the state of the finished batches in FILE (written atomically every --checkpoint-seconds and on SIGTERM/SIGINT, which then exit 75): the same command run again goes on from it and gives the uninterrupted run's report, number for number. Removed once the outputs are written.", valueName: "FILE"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Seconds between checkpoints (default 60).", valueName: "S"))
    var checkpointSeconds: Double?

    @Flag(help: "Skip the risk contributions (which operators and services drive the tail): computed from the faults the run keeps, they add about a tenth to its time (a replay doubling it with --memory bounded or --importance-sampling).")
    var noContributions = false

    func validate() throws {
        if let maxSeconds, !(maxSeconds > 0 && maxSeconds.isFinite) {
            throw ValidationError("--max-seconds \(maxSeconds) is not a positive number of seconds. Fix: give a time limit such as --max-seconds 600")
        }
        if shard != nil {
            if outputOptions.output == nil { throw ValidationError("--shard writes a binary part file. Fix: add --output part-I.slashsim") }
            let conflicting = [(!stress.isEmpty, "--stress"), (maxSeconds != nil, "--max-seconds"), (memory == .bounded, "--memory bounded"),
                               (importanceSampling, "--importance-sampling"),
                               (exports.distribution != nil, "--distribution"), (exports.plot != nil, "--plot"),
                               (exports.report != nil, "--report")].filter(\.0).map(\.1)
            if let flag = conflicting.first {
                // merge takes --distribution, --plot and --report; the others have no sharded form.
                let fix = ["--distribution", "--plot", "--report"].contains(flag) ? "give \(flag) to `slashsim merge`, which writes it for the whole run"
                    : flag == "--stress" ? "shard the stressed scenarios one by one (a stress file run as its own shards needs the stress applied to a scenario file), or run the comparison without --shard"
                    : "run without --shard"
                throw ValidationError("--shard cannot be combined with \(flag). Fix: \(fix)")
            }
        }
        if importanceSampling, memory == .bounded {
            throw ValidationError("--importance-sampling cannot be combined with --memory bounded: weighted samples are kept in memory. Fix: drop --memory bounded (importance sampling needs far fewer trials) or drop --importance-sampling")
        }
        if precision != nil {
            let conflicting = [(!stress.isEmpty, "--stress"), (shard != nil, "--shard"), (maxSeconds != nil, "--max-seconds"),
                               (memory == .bounded, "--memory bounded"), (importanceSampling, "--importance-sampling")].filter(\.0).map(\.1)
            if let flag = conflicting.first {
                throw ValidationError("--precision cannot be combined with \(flag). Fix: find the trials with --precision alone, then run with --trials and \(flag)")
            }
        }
        if let checkpointSeconds, !(checkpointSeconds > 0 && checkpointSeconds.isFinite) {
            throw ValidationError("--checkpoint-seconds \(checkpointSeconds) is not a positive number of seconds. Fix: give an interval such as --checkpoint-seconds 60")
        }
        if checkpointSeconds != nil, checkpoint == nil {
            throw ValidationError("--checkpoint-seconds needs --checkpoint FILE. Fix: add --checkpoint run.ckpt")
        }
        if checkpoint != nil {
            let conflicting = [(!stress.isEmpty, "--stress", "checkpoint the base and each stress as their own runs (apply the stress to a scenario file)"),
                               (maxSeconds != nil, "--max-seconds", "stop a checkpointed run with SIGTERM instead, e.g. `timeout -s TERM 3600 slashsim run … --checkpoint FILE`; it writes the checkpoint and exits 75"),
                               (precision != nil, "--precision", "find the trials with `slashsim validate --precision P`, then run with --trials and --checkpoint"),
                               (importanceSampling, "--importance-sampling", "importance-sampled runs need far fewer trials: run them without --checkpoint")].filter(\.0)
            if let (_, flag, fix) = conflicting.first {
                throw ValidationError("--checkpoint cannot be combined with \(flag). Fix: \(fix)")
            }
            if let checkpoint, [outputOptions.output, exports.distribution, exports.plot, exports.report].contains(checkpoint) {
                throw ValidationError("--checkpoint \(checkpoint) is also an output of the run. Fix: name a file of its own, e.g. --checkpoint run.ckpt")
            }
        }
        if !stress.isEmpty, maxSeconds != nil {
            throw ValidationError("--max-seconds cannot be combined with --stress: the base and every stress must run the same trials. Fix: drop --max-seconds and set --trials")
        }
    }

    func run() throws {
        SignalGuard.install()
        var (loaded, file, digest) = try ScenarioSource.load(scenario)
        if let arithmetic = settings.arithmetic { loaded.simulation.precision = arithmetic }
        let model = try ScenarioSource.compile(loaded, file: file)
        let stressed = try stress.map { path in try ScenarioSource.loadStress(path, base: loaded) }
        try Self.checkStressLabels(stressed.map(\.file))
        let plans = try plans(for: [model] + stressed.map(\.model), scenario: loaded, file: file)
        // Fail before simulating if an output cannot be written.
        let writer = try outputOptions.writer()
        let (distributionWriter, plotWriter, pageWriter) = try exports.writers()
        let plan = plans[0]
        let session = try checkpoint.map { path in
            try CheckpointSession(path: path, interval: checkpointSeconds ?? 60, plan: plan, scenario: loaded, file: file,
                                  sha256: digest, shard: shard?.spec)
        }
        if let shard = shard?.spec, let writer {
            try writeShard(shard, plan: plan, scenario: loaded, file: file, to: writer, checkpoint: session)
            session?.remove()
            return
        }
        let shifts = try importanceShifts(plans, files: [file] + stressed.map(\.file))
        // --precision P: the fewest trials (doubling from 16 batches, up to the cap) that meet it.
        let search = precision.map { PrecisionSearch.trials(plan: plan, relative: $0.value) }
        let basePlan = search.map { plan.limited(to: $0.trials) } ?? plan
        var (result, baseReport) = try simulate(scenario: loaded, file: file, plan: basePlan, importance: shifts[0].shift,
                                                pilotSeconds: shifts[0].seconds, checkpoint: session)
        baseReport.scenarioSHA256 = digest
        baseReport.tableFiles = ScenarioSource.tableDigests(loaded)
        if let search, let precision {
            baseReport.precisionTarget = Report.PrecisionTarget(relative: precision.value, met: search.met, trials: search.trials, checks: search.checks)
            if !search.met {
                StandardError.write("warning: --precision \(String(format: "%g", precision.value * 100)) % was not met at the cap of \(search.trials) trials. Fix: raise --trials, or ask for a looser precision or lower --quantiles\n")
            }
        }
        // Every run with what the exports label it by; the exports' curves are computed only when asked for.
        var runs: [(label: String, name: String, file: String, sha256: String?, result: SimulationResult, report: Report)] =
            [("base", loaded.name, file, digest, result, baseReport)]
        if stressed.isEmpty {
            try outputOptions.emit(baseReport, to: writer)
        } else {
            let entries = try stressed.enumerated().map { j, stress in
                var run = try simulate(scenario: stress.scenario, file: stress.file, plan: plans[j + 1], importance: shifts[j + 1].shift,
                                   pilotSeconds: shifts[j + 1].seconds)
                run.report.scenarioSHA256 = digest
                run.report.tableFiles = ScenarioSource.tableDigests(stress.scenario)
                var entry = StressComparison.Entry(name: stress.name, file: stress.file, report: run.report)
                entry.sha256 = ScenarioSource.sha256(ofFile: stress.file)
                runs.append((entry.label, stress.name, stress.file, entry.sha256, run.result, run.report))
                return entry
            }
            try outputOptions.emit(StressComparison(base: baseReport, stresses: entries), to: writer)
        }
        if let distributionWriter {
            try distributionWriter.write(ExceedanceCurve.csv(runs.flatMap { ExceedanceCurve.curves(of: $0.result, report: $0.report, scenario: $0.label) }))
        }
        if let plotWriter {
            try plotWriter.writePlot(SVGPlot.render(
                title: baseReport.scenario,
                subtitle: "exceedance of the total principal loss, \(TextFormat.count(baseReport.trials)) trials, seed \(baseReport.seed)",
                curves: runs.map { ($0.label, ExceedanceCurve.of($0.result.distribution), $0.report) }))
        }
        if let pageWriter {
            let pages = runs.map { HTMLReport.Run(label: $0.label, name: $0.name, file: $0.file, sha256: $0.sha256, report: $0.report, result: $0.result) }
            try pageWriter.write(HTMLReport(base: pages[0], stresses: Array(pages.dropFirst()), command: Self.commandLine).html())
        }
        session?.remove()
        if result.isPartial {
            StandardError.write("slashsim: stopped by --max-seconds after \(result.trials) of \(plan.trials) trials; the report is labelled partial\n")
            throw ExitCodes.partialResult
        }
    }

    /// The checked plans of the base model and each stressed one: flags over the scenario's `simulation:`,
    /// refused (exit 65) when a run would not fit in memory.
    private func plans(for models: [CompiledModel], scenario loaded: Scenario, file: String) throws -> [RunPlan] {
        let levels = normalizedLevels(levelOptions.quantiles?.levels ?? loaded.simulation.quantiles)
        do {
            return try models.map { m throws(RunPlan.Refusal) in
                try RunPlan(
                    model: m, trials: settings.trials?.value ?? loaded.simulation.trials, seed: settings.seed ?? loaded.simulation.seed,
                    threads: settings.threads ?? ProcessInfo.processInfo.activeProcessorCount, levels: levels,
                    trialsSource: settings.trials != nil ? "--trials" : "\(file): simulation.trials",
                    availableBytes: noMemoryCheck ? .infinity : RunLimits.availableMemoryBytes(), memory: memory.mode,
                    importanceSampling: importanceSampling)
            }
        } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCodes.invalidScenario
        }
    }

    /// Importance sampling: one shift per scenario (base and each stress, in `files`), aimed at the highest
    /// level, and the seconds its pilots took; nil shifts without `--importance-sampling`.
    private func importanceShifts(_ plans: [RunPlan], files: [String]) throws -> [(shift: ImportanceShift?, seconds: Double)] {
        guard importanceSampling else { return plans.map { _ in (nil, 0) } }
        return try zip(files, plans).map { file, plan in
            let start = Date()
            do {
                let shift = try ImportanceShift.choose(model: plan.model, level: plan.levels.last ?? 0.99, seed: plan.seed, threads: plan.threads)
                return (shift, Date().timeIntervalSince(start))
            } catch let error as ImportanceShift.Unsupported {
                StandardError.write("error: \(file): \(error.key): \(error). Fix: \(error.fix)\n")
                throw ExitCodes.invalidScenario
            }
        }
    }

    /// `--shard`: simulates this shard's batches and writes them as a part file.
    /// With a checkpoint, the shard goes on from it and writes it as it goes.
    private func writeShard(_ shard: ShardSpec, plan: RunPlan, scenario loaded: Scenario, file: String, to writer: ReportWriter,
                            checkpoint: CheckpointSession?) throws {
        let engine = SimulationEngine(model: plan.model)
        let outcome: ShardOutcome
        if let checkpoint {
            let run = engine.resumableRun(trials: plan.trials, seed: plan.seed, threads: plan.threads, memory: .inMemory(keepFaults: false),
                                          shard: shard, from: try checkpoint.load(model: plan.model, plan: plan, shard: shard))
            try checkpoint.drive(run, totalTrials: shard.batches(trials: plan.trials).count * RunLimits.batchSize, progress: nil)
            outcome = run.shardOutcome()
        } else {
            outcome = engine.runShard(trials: plan.trials, seed: plan.seed, threads: plan.threads, shard: shard)
        }
        let text = ScenarioSource.text(scenario)
        let header = ShardPart.Header(
            formatVersion: ShardPart.formatVersion, slashsimVersion: Slashsim.configuration.version, scenarioName: loaded.name,
            scenarioFile: file, scenarioDigest: String(FNV1a.hash(Array(text.utf8)), radix: 16), seed: plan.seed, trials: plan.trials,
            batchSize: RunLimits.batchSize, shardIndex: shard.index, shardCount: shard.count, levels: plan.levels)
        try writer.write(data: ShardPart(header: header, scenarioText: text, outcome: outcome).encoded())
    }

    /// One simulation with its progress line, contributions (unless skipped or partial) and report; with a
    /// checkpoint, going on from it and writing it as it goes.
    private func simulate(scenario: Scenario, file: String, plan: RunPlan, importance: ImportanceShift?,
                          pilotSeconds: Double, checkpoint: CheckpointSession? = nil) throws -> (result: SimulationResult, report: Report) {
        let model = plan.model
        let progress = (!quiet && StandardError.isTerminal) ? ProgressLine(totalTrials: plan.trials, operators: model.operatorCount) : nil
        progress?.start()
        var onProgress: (@Sendable (Int) -> Void)?
        if let progress { onProgress = { progress.update($0) } }
        let control = maxSeconds.map { RunControl(maxSeconds: $0) }
        let engine = SimulationEngine(model: model)
        let result: SimulationResult
        var resumable: (any ResumableRun)?
        switch plan.memory {
        case _ where checkpoint != nil:
            let memory: SimulationEngine.ResumableMemory = plan.memory == .bounded ? .bounded(levels: plan.levels) : .inMemory(keepFaults: !noContributions)
            let run = engine.resumableRun(trials: plan.trials, seed: plan.seed, threads: plan.threads, memory: memory,
                                          from: try checkpoint!.load(model: model, plan: plan, shard: nil))
            progress?.resume(at: run.trialsDone)
            try checkpoint!.drive(run, totalTrials: plan.trials, progress: onProgress)
            do { result = try run.result() } catch {
                StandardError.write("error: --checkpoint \(checkpoint!.path): the run it held does not add up: \(error.description). Fix: delete it to start the run afresh\n")
                throw ExitCodes.invalidScenario
            }
            try checkpoint!.simulationDone(run, longWorkFollows: !noContributions && !result.keptFaultsForContributions)
            resumable = run
        case .inMemory:
            result = engine.run(trials: plan.trials, seed: plan.seed, threads: plan.threads, control: control, importance: importance,
                                keepFaultsForContributions: !noContributions, progress: onProgress)
        case .bounded:
            result = engine.runBounded(trials: plan.trials, seed: plan.seed, threads: plan.threads, levels: plan.levels,
                                       control: control, progress: onProgress)
        }
        // The contributions replay the same trials; a run stopped by --max-seconds skips them to keep its time limit.
        var contributions: RiskContributions?
        if !noContributions, !result.isPartial {
            progress?.enter(.contributions)
            contributions = engine.contributions(of: result, levels: plan.levels, threads: plan.threads, importance: importance)
        }
        if let checkpoint, let resumable { try checkpoint.stopIfAsked(resumable, totalTrials: plan.trials) }
        progress?.enter(.statistics)
        var report = Report(scenarioName: scenario.name, scenarioFile: file, model: model, result: result,
                            levels: plan.levels, contributions: contributions)
        progress?.finish()
        report.importanceSampling?.pilotSeconds = pilotSeconds
        return (result, report)
    }

    /// Every stress is labelled by its file's name (without folder and extension) in every output; two stresses
    /// with one label (`s1/bug.yaml`, `s2/bug.yaml`), or one labelled `base`, could not be told apart, so they are
    /// refused (exit 65) with the fix.
    static func checkStressLabels(_ files: [String]) throws(ExitCode) {
        var seen: [String: String] = ["base": "the base scenario"]
        for file in files {
            let label = StressComparison.Entry.label(ofFile: file)
            if let first = seen[label] {
                StandardError.write("error: \(file): the stress would be labelled \"\(label)\", like \(first). Fix: rename one of the files (a stress's label in every output is its file's name)\n")
                throw ExitCodes.invalidScenario
            }
            seen[label] = file
        }
    }

    /// The command as typed (arguments quoted where the shell would need it), for the HTML report's header.
    static var commandLine: String {
        CommandLine.arguments.enumerated().map { i, argument in
            let shown = i == 0 ? "slashsim" : argument
            let plain = !shown.isEmpty && shown.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:,%@+".unicodeScalars.contains($0) }
            return plain ? shown : "'" + shown.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// Sorted, without repeats.
    private func normalizedLevels(_ levels: [Double]) -> [Double] {
        Array(Set(levels)).sorted()
    }
}
