import BatchFiles
import Foundation
import SlashingCore
import Testing
@testable import slashsim

/// `run --checkpoint`: a run killed with SIGTERM (checkpoint written, exit 75) or SIGKILL (the last periodic
/// checkpoint kept) at several points and resumed gives the uninterrupted run's report, number for number — in
/// memory, bounded and sharded; foreign, damaged and non-checkpoint files are refused and kept.
@Suite(.serialized) struct CheckpointCommandTests {
    #if DEBUG
    static let trials = "1000000"
    static let boundedTrials = "600000"
    #else
    // An optimised build (CI's sanitizer runs) is ten times faster: the runs must still last long enough for the
    // signals to land between checkpoints.
    static let trials = "10000000"
    static let boundedTrials = "6000000"
    #endif

    /// The report without its timing line.
    static func numbers(_ json: String) -> [Substring] {
        json.split(separator: "\n").filter { !$0.contains("\"elapsed_seconds\"") }
    }

    /// Trials done in the checkpoint at `url`, counting a bounded run's replay as further trials (nil: none
    /// there, or being replaced).
    static func trialsDone(_ url: URL) -> Int? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return data.withUnsafeBytes { raw in
            (try? Checkpoint(bytes: raw).header).map { $0.trialsDone + ($0.replayTrialsDone ?? 0) }
        }
    }

    /// Starts `slashsim arguments…` in `folder`; once the checkpoint `ckpt` shows more than `after` trials done
    /// (and fewer than all), sends `signal`; returns the exit status, standard error and the trials the
    /// checkpoint held when the signal was sent.
    static func interrupt(_ arguments: [String], in folder: URL, checkpoint ckpt: String, signal: Int32, after: Int,
                          total: Int) throws -> (status: Int32, stderr: String, seen: Int) {
        let bounded = arguments.contains("bounded")
        let running = try SlashsimBinary.start(arguments, in: folder)
        var seen = -1
        while running.process.isRunning {
            if let done = trialsDone(folder.appendingPathComponent(ckpt)), done > after, done < total * (bounded ? 2 : 1) {
                seen = done
                kill(running.process.processIdentifier, signal)
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let (status, stderr) = try running.finish()
        return (status, stderr, seen)
    }

    /// Runs `arguments` uninterrupted, then with a checkpoint interrupted by each of `signals` in turn (each
    /// after the previous sitting's trials) and finished: the two reports' numbers must agree.
    static func checkResume(_ arguments: [String], signals: [Int32], output: String = "report.json") throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let total = Int(arguments[arguments.firstIndex(of: "--trials")! + 1])!
        let single = try SlashsimBinary.run(arguments + ["--output", "single.json"], in: folder)
        #expect(single.status == 0, "\(single.stderr)")
        let checkpointed = arguments + ["--output", output, "--checkpoint", "run.ckpt", "--checkpoint-seconds", "0.05"]
        var before = 0
        for signal in signals {
            let outcome = try interrupt(checkpointed, in: folder, checkpoint: "run.ckpt", signal: signal, after: before, total: total)
            try #require(outcome.seen >= 0, "the run finished before a checkpoint could be interrupted: \(outcome.stderr)")
            let held = try #require(trialsDone(folder.appendingPathComponent("run.ckpt")))
            if signal == SIGTERM {
                #expect(outcome.status == 75, "\(outcome.stderr)")
                #expect(outcome.stderr.contains("slashsim: interrupted by SIGTERM after "), "\(outcome.stderr)")
                #expect(outcome.stderr.contains("checkpoint written to run.ckpt"))
                #expect(held >= outcome.seen)
            } else {
                #expect(outcome.status == 9, "\(outcome.stderr)")  // killed: the checkpoint seen is kept
            }
            if before > 0 { #expect(outcome.stderr.contains("slashsim: resuming from run.ckpt: ")) }
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(output).path), "no report before the end")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
            #expect(left.isEmpty || signal == SIGKILL, "\(left)")
            before = held
        }
        let finished = try SlashsimBinary.run(checkpointed, in: folder)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run.ckpt").path), "removed once the report is written")
        let a = try String(contentsOf: folder.appendingPathComponent("single.json"), encoding: .utf8)
        let b = try String(contentsOf: folder.appendingPathComponent(output), encoding: .utf8)
        #expect(numbers(a) == numbers(b))
        #expect(numbers(a).count > 50)
    }

    @Test func killedAndResumedRunsGiveTheUninterruptedReport() throws {
        try Self.checkResume(["run", "--trials", Self.trials, "--threads", "2", "--format", "json", "--quiet"],
                             signals: [SIGTERM, SIGKILL, SIGTERM])
    }

    /// What each signal does: the first asks for a checkpoint, a repeat within a second is the same request
    /// delivered twice (Slurm signals every process of a job, and the batch script forwards it too), a later one
    /// stops at once; without a checkpoint, or once the whole simulation is saved, a signal stops at once.
    @Test func signalActions() {
        let checkpointing = SignalGuard.Mode.checkpointing(RunControl(), path: "c")
        #expect(SignalGuard.action(mode: checkpointing, first: true, secondsSinceFirst: 0, code: 143) == .stopAfterBatches)
        #expect(SignalGuard.action(mode: checkpointing, first: false, secondsSinceFirst: 0.004, code: 143) == .ignore)
        #expect(SignalGuard.action(mode: checkpointing, first: false, secondsSinceFirst: 1.5, code: 130) == .exit(130))
        #expect(SignalGuard.action(mode: .plain, first: true, secondsSinceFirst: 0, code: 143) == .exit(143))
        #expect(SignalGuard.action(mode: .checkpointed(path: "c"), first: true, secondsSinceFirst: 0, code: 143) == .exit(75))
    }

    /// Two SIGTERMs at once (coalesced or not): the checkpoint is written, exit 75.
    @Test func aSignalDeliveredTwiceStillWritesTheCheckpoint() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["run", "--trials", Self.trials, "--threads", "2", "--quiet", "--checkpoint", "run.ckpt", "--checkpoint-seconds", "0.2"]
        let running = try SlashsimBinary.start(arguments, in: folder)
        while running.process.isRunning, Self.trialsDone(folder.appendingPathComponent("run.ckpt")) == nil { Thread.sleep(forTimeInterval: 0.01) }
        kill(running.process.processIdentifier, SIGTERM)
        kill(running.process.processIdentifier, SIGTERM)
        let (status, stderr) = try running.finish()
        #expect(status == 75, "\(stderr)")
        let held = try #require(Self.trialsDone(folder.appendingPathComponent("run.ckpt")))
        #expect(held > 0 && held < Int(Self.trials)!)
    }

    @Test func boundedRunsResumeInEitherPass() throws {
        // Without contributions (their replay is the same with or without a checkpoint): three sittings, one of
        // them at least in pass 2 (the checkpoint counts pass 2's trials after pass 1's).
        try Self.checkResume(["run", "--trials", Self.boundedTrials, "--threads", "2", "--format", "json", "--quiet", "--memory", "bounded",
                              "--no-contributions"], signals: [SIGTERM, SIGKILL, SIGTERM])
    }

    @Test func shardsResumeToTheirPart() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Four times the other tests' trials: each sitting is half of them, and the signal must land before the end.
        let trials = 4 * Int(Self.trials)!
        let base = ["run", "--trials", "\(trials)", "--threads", "2", "--quiet"]
        for i in 0..<2 {
            let part = try SlashsimBinary.run(base + ["--shard", "\(i)/2", "--output", "single-\(i).slashsim"], in: folder)
            #expect(part.status == 0, "\(part.stderr)")
        }
        let arguments = base + ["--shard", "1/2", "--output", "part-1.slashsim", "--checkpoint", "run.ckpt", "--checkpoint-seconds", "0.2"]
        let stopped = try Self.interrupt(arguments, in: folder, checkpoint: "run.ckpt", signal: SIGTERM, after: 0, total: trials / 2)
        try #require(stopped.seen >= 0)
        #expect(stopped.status == 75, "\(stopped.stderr)")
        let resumed = try SlashsimBinary.run(arguments, in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let single = try SlashsimBinary.run(["merge", "single-0.slashsim", "single-1.slashsim", "--format", "json"], in: folder)
        let merged = try SlashsimBinary.run(["merge", "single-0.slashsim", "part-1.slashsim", "--format", "json"], in: folder)
        #expect(merged.status == 0 && single.status == 0, "\(merged.stderr)")
        #expect(Self.numbers(merged.stdout) == Self.numbers(single.stdout))
    }

    @Test func foreignDamagedAndOtherFilesAreRefusedAndKept() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["run", "--trials", Self.trials, "--threads", "2", "--quiet", "--checkpoint", "run.ckpt", "--checkpoint-seconds", "0.2"]
        let stopped = try Self.interrupt(arguments, in: folder, checkpoint: "run.ckpt", signal: SIGTERM, after: 0, total: Int(Self.trials)!)
        try #require(stopped.seen >= 0 && stopped.status == 75)
        let url = folder.appendingPathComponent("run.ckpt")
        let good = try Data(contentsOf: url)

        let otherSeed = try SlashsimBinary.run(arguments + ["--seed", "7"], in: folder)
        #expect(otherSeed.status == 65)
        #expect(otherSeed.stderr.hasPrefix("error: --checkpoint run.ckpt belongs to another run: its seed is 2025, this run's 7. Fix: "), "\(otherSeed.stderr)")
        let otherScenario = try SlashsimBinary.run(arguments + [SlashsimBinary.packageRoot.appendingPathComponent("Scenarios/three-lrts.yaml").path], in: folder)
        #expect(otherScenario.status == 65)
        #expect(otherScenario.stderr.contains("belongs to another run: it is of the scenario"), "\(otherScenario.stderr)")
        let otherLevels = try SlashsimBinary.run(arguments + ["--quantiles", "0.9"], in: folder)
        #expect(otherLevels.status == 65 && otherLevels.stderr.contains("its quantile levels are"), "\(otherLevels.stderr)")
        #expect(try Data(contentsOf: url) == good, "a refused checkpoint is kept as it was")

        var damaged = good
        damaged[damaged.count / 2] ^= 0x40
        try damaged.write(to: url)
        let refused = try SlashsimBinary.run(arguments, in: folder)
        #expect(refused.status == 65)
        #expect(refused.stderr == "error: --checkpoint run.ckpt: damaged: its checksum does not match its contents (a torn or altered file). Fix: delete it to start the run afresh (the trials it held are lost), or restore a good copy\n")
        #expect(try Data(contentsOf: url) == damaged)

        try Data("{\"scenario\": \"a report\"}\n".utf8).write(to: url)
        let notOne = try SlashsimBinary.run(arguments, in: folder)
        #expect(notOne.status == 65)
        #expect(notOne.stderr.hasPrefix("error: --checkpoint run.ckpt: not a slashsim checkpoint. Fix: name a new file"), "\(notOne.stderr)")
        #expect(try String(contentsOf: url, encoding: .utf8).contains("a report"))
    }

    @Test(arguments: [
        (["--max-seconds", "5"], "--checkpoint cannot be combined with --max-seconds. Fix: stop a checkpointed run with SIGTERM instead"),
        (["--importance-sampling"], "--checkpoint cannot be combined with --importance-sampling."),
        (["--precision", "1%"], "--checkpoint cannot be combined with --precision."),
        (["--output", "c.ckpt"], "--checkpoint c.ckpt is also an output of the run."),
        (["--checkpoint-seconds", "0"], "--checkpoint-seconds 0.0 is not a positive number of seconds."),
    ])
    func conflictingFlagsAreRefused(extra: [String], message: String) throws {
        let outcome = try SlashsimBinary.run(["run", "--checkpoint", "c.ckpt"] + extra)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        let alone = try SlashsimBinary.run(["run", "--checkpoint-seconds", "5"])
        #expect(alone.status == 64 && alone.stderr.contains("--checkpoint-seconds needs --checkpoint FILE"))
    }
}
