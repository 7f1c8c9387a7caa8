#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `run --checkpoint FILE`: finds the checkpoint of this very run (or none), drives the run segment by segment,
/// writes the state every `--checkpoint-seconds` and on SIGTERM/SIGINT, and removes the checkpoint once every
/// output is written.
final class CheckpointSession {
    let path: String
    let interval: Double
    let header: Checkpoint.Header
    private let writer: ReportWriter
    /// Set by the first SIGTERM/SIGINT (`SignalGuard`).
    private let signals = RunControl()

    /// The identity of the run about to start: every setting the numbers depend on.
    init(path: String, interval: Double, plan: RunPlan, scenario: Scenario, file: String, sha256: String,
         shard: ShardSpec?) throws {
        self.path = path
        self.interval = interval
        writer = try ReportWriter(path: path, flag: "--checkpoint")
        // The scenario's bytes and every table it names.
        let identity = ([sha256] + scenario.tableFiles.map { "\($0.key)=\($0.sha256)" }).joined(separator: "\n")
        header = Checkpoint.Header(
            slashsimVersion: Slashsim.configuration.version, scenarioName: scenario.name, scenarioFile: file,
            scenarioDigest: SHA256.hex(Array(identity.utf8)), seed: plan.seed, trials: plan.trials, batchSize: RunLimits.batchSize,
            levels: plan.levels, memory: plan.memory.rawValue, arithmetic: scenario.simulation.precision.rawValue,
            shard: shard.map { "\($0.index)/\($0.count)" })
    }

    /// The state of the checkpoint at `path` when it is one of this run; nil when there is no file. A file that
    /// is not a checkpoint, a damaged one or one of another run is refused (exit 65): it is never overwritten.
    func load(model: CompiledModel, plan: RunPlan, shard: ShardSpec?) throws -> RunState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            StandardError.write("error: --checkpoint \(path): cannot be read (\(error.localizedDescription)). Fix: check its permissions, or give another file\n")
            throw ExitCodes.noInput
        }
        let checkpoint: Checkpoint
        do { checkpoint = try data.withUnsafeBytes { raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw) } } catch {
            let error = (error as? Checkpoint.Damaged)?.description ?? "\(error)"
            let fix = error.hasPrefix("not a") ? "name a new file for the checkpoint (this one is kept as it is)"
                : "delete it to start the run afresh (the trials it held are lost), or restore a good copy"
            StandardError.write("error: --checkpoint \(path): \(error). Fix: \(fix)\n")
            throw ExitCodes.invalidScenario
        }
        if let difference = checkpoint.header.difference(from: header) {
            StandardError.write("error: --checkpoint \(path) belongs to another run: \(difference). Fix: run the command that wrote it, or name another checkpoint file (delete this one only if its run is abandoned)\n")
            throw ExitCodes.invalidScenario
        }
        let batches = shard?.batches(trials: plan.trials) ?? 0..<((plan.trials + RunLimits.batchSize - 1) / RunLimits.batchSize)
        guard checkpoint.state.fits(model: model, batches: batches, levels: plan.memory == .bounded ? Set(plan.levels).count : nil,
                                    shard: shard != nil) else {
            StandardError.write("error: --checkpoint \(path): damaged: its arrays do not fit the scenario's model. Fix: delete it to start the run afresh\n")
            throw ExitCodes.invalidScenario
        }
        return checkpoint.state
    }

    /// Writes `state` atomically; returns its size in bytes and the seconds it took.
    @discardableResult
    func save(_ run: any ResumableRun) throws -> (bytes: Int, seconds: Double) {
        var header = self.header
        header.trialsDone = run.trialsDone
        header.replayTrialsDone = run.replayTrialsDone
        let state = run.state
        let start = Date()
        var bytes = 0
        try writer.write(pieces: { sink in
            Checkpoint(header: header, state: state).encode { piece in
                bytes += piece.count
                return sink(piece)
            }
        })
        return (bytes, Date().timeIntervalSince(start))
    }

    /// Runs `run` to its end, writing the checkpoint every `interval` seconds — longer when a write is slow
    /// (a large in-memory state), so that writing takes at most about 5 % of the run — and on SIGTERM or
    /// SIGINT, after which it exits 75 (`ExitCodes.checkpointed`).
    func drive(_ run: any ResumableRun, totalTrials: Int, progress: (@Sendable (Int) -> Void)?) throws {
        SignalGuard.set(.checkpointing(signals, path: path))
        if run.trialsDone > 0 {
            StandardError.write("slashsim: resuming from \(path): \(Self.done(run, of: totalTrials))\n")
        }
        var lastWrite = Date(), wait = interval
        while !run.isFinished {
            let segment = RunControl(maxSeconds: max(0, wait - Date().timeIntervalSince(lastWrite)), parent: signals)
            run.advance(control: segment, progress: progress)
            if run.isFinished { break }
            if signals.stopRequested || Date().timeIntervalSince(lastWrite) >= wait {
                let (bytes, seconds) = try save(run)
                lastWrite = Date()
                wait = max(interval, 19 * seconds)
                if signals.stopRequested { try stop(run, totalTrials: totalTrials, bytes: bytes, seconds: seconds) }
            }
        }
    }

    /// The simulation is done. When a long replay follows (the contributions of a bounded run, or of a run
    /// whose kept faults were over their budget), the whole simulation is written now and a signal from here on
    /// exits 75 at once; otherwise a signal is answered at `stopIfAsked`, after the few seconds of contributions.
    func simulationDone(_ run: any ResumableRun, longWorkFollows: Bool) throws {
        guard longWorkFollows, !signals.stopRequested else { return }
        try save(run)
        SignalGuard.set(.checkpointed(path: path))
    }

    /// Before the outputs: a signal received since the simulation ended writes the checkpoint of the whole
    /// simulation and exits 75 (the next run only computes the contributions and writes the reports).
    func stopIfAsked(_ run: any ResumableRun, totalTrials: Int) throws {
        guard signals.stopRequested else { return }
        let (bytes, seconds) = try save(run)
        try stop(run, totalTrials: totalTrials, bytes: bytes, seconds: seconds)
    }

    private func stop(_ run: any ResumableRun, totalTrials: Int, bytes: Int, seconds: Double) throws -> Never {
        StandardError.write("slashsim: interrupted by \(SignalGuard.received ?? "a signal") after \(Self.done(run, of: totalTrials)); checkpoint written to \(path) (\(Self.size(bytes)) in \(String(format: "%.2f", seconds)) s). Run the same command again to go on from it\n")
        throw ExitCodes.checkpointed
    }

    /// Removes the checkpoint once the run's outputs are written.
    func remove() {
        unlink(path)
    }

    /// "1,024 of 10,000 trials done", and the replay's progress in pass 2 of a bounded run.
    static func done(_ run: any ResumableRun, of total: Int) -> String {
        let pass1 = "\(TextFormat.count(run.trialsDone)) of \(TextFormat.count(total)) trials done"
        guard let replayed = run.replayTrialsDone else { return pass1 }
        return pass1 + ", \(TextFormat.count(replayed)) replayed in pass 2"
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1e6) : String(format: "%.1f kB", Double(bytes) / 1e3)
    }
}
