import FuzzSupport
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore

/// The model the corpus's checkpoints were written for (the bundled default scenario, 1e6 trials).
let engine: SimulationEngine = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let scenario = try! ScenarioLoader.load(path: root.appendingPathComponent("Sources/slashsim/Resources/default.yaml").path)
    return SimulationEngine(model: try! CompiledModel(scenario: scenario))
}()

/// A checkpoint (`run --checkpoint`): read, written back into one that reads the same, and checked against
/// the model by `RunState.fits` — or refused. The last four bytes are replaced by the checksum of the rest.
func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    var bytes = [UInt8](UnsafeBufferPointer(start: data, count: size - 4))
    let crc = CRC32.checksum(bytes)
    bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
    guard let checkpoint = try? bytes.withUnsafeBytes({ raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw) }) else { return 0 }
    let encoded = checkpoint.encoded()
    let again = try? encoded.withUnsafeBytes { raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw) }
    precondition(again?.encoded() == encoded, "a checkpoint that does not read back")  // bytes: NaN != NaN
    let trials = checkpoint.header.trials
    guard trials > 0, trials <= 100_000_000 else { return 0 }
    let batches = 0..<((trials + RunLimits.batchSize - 1) / RunLimits.batchSize)
    for levels in [nil, checkpoint.header.levels.count] as [Int?] {
        _ = checkpoint.state.fits(model: engine.model, batches: batches, levels: levels)
    }
    return 0
}

/// `CheckpointFuzzer --write-seeds DIR`: real checkpoints of the default scenario to start from — in memory
/// (with kept faults) after one batch of 5,000 trials, and bounded in pass 1 and in pass 2.
func writeSeeds(to folder: String) {
    let header = Checkpoint.Header(slashsimVersion: "fuzz", scenarioName: "default", scenarioFile: "default.yaml", scenarioDigest: "0",
                                   seed: 1, trials: 5000, batchSize: RunLimits.batchSize, levels: [0.9, 0.99], memory: "in-memory",
                                   arithmetic: "double", shard: nil)
    let memories: [(String, SimulationEngine.ResumableMemory, Int)] = [
        ("in-memory", .inMemory(keepFaults: true), 1), ("bounded-pass1", .bounded(levels: [0.9, 0.99]), 2), ("bounded-pass2", .bounded(levels: [0.9, 0.99]), 7),
    ]
    for (name, memory, steps) in memories {
        let run = engine.resumableRun(trials: 5000, seed: 1, threads: 1, memory: memory)
        for _ in 0..<steps { run.advance(control: RunControl(maxSeconds: 0), progress: nil) }
        let bytes = Checkpoint(header: header, state: run.state).encoded()
        FileManager.default.createFile(atPath: "\(folder)/\(name).ckpt", contents: Data(bytes))
    }
}

@_cdecl("CheckpointFuzzer_main")
public func checkpointFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if argc == 3, let argv, String(cString: argv[1]!) == "--write-seeds" {
        writeSeeds(to: String(cString: argv[2]!))
        return 0
    }
    return runFuzzer(argc, argv, fuzzCheckpoint)
}
