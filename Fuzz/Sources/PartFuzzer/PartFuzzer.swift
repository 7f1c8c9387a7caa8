import FuzzSupport
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore

/// A shard's part file (`slashsim merge`): read and written back into a part that reads the same, or refused.
/// The input's last four bytes are replaced by the checksum of the rest, so that the structure behind the
/// CRC-32 is what gets fuzzed.
func fuzzPart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    var bytes = [UInt8](UnsafeBufferPointer(start: data, count: size - 4))
    let crc = CRC32.checksum(bytes)
    bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
    guard let part = try? ShardPart(data: Data(bytes)) else { return 0 }
    let encoded = part.encoded()
    precondition((try? ShardPart(data: encoded))?.encoded() == encoded, "a part that does not read back")  // bytes: NaN != NaN
    return 0
}

/// `PartFuzzer --write-seeds DIR`: the two part files of a 5,000-trial run of a small restaking scenario.
func writeSeeds(to folder: String) {
    let text = """
        name: part seed
        operators: [{id: a, stake: 100, fault_probability: 0.05}, {id: b, stake: 200, fault_probability: 0.02}]
        services: [{id: s, slash_fraction: 0.5, incident_probability: 0.01}]
        allocations: [{operator: a, service: s, magnitude: 1}, {operator: b, service: s, magnitude: 0.5}]
        tokens: [{id: t, backing: 400, delegations: {a: 50, b: 100}}]
        correlation: {constant: 0.3}
        """
    let scenario = try! ScenarioLoader.decode(data: Data(text.utf8), file: "seed.yaml", format: .yaml)
    let engine = SimulationEngine(model: try! CompiledModel(scenario: scenario))
    for i in 0..<2 {
        let outcome = engine.runShard(trials: 5000, seed: 1, threads: 1, shard: ShardSpec(index: i, count: 2)!)
        let header = ShardPart.Header(formatVersion: ShardPart.formatVersion, slashsimVersion: "fuzz", scenarioName: "part seed",
                                      scenarioFile: "seed.yaml", scenarioDigest: "0", seed: 1, trials: 5000, batchSize: RunLimits.batchSize,
                                      shardIndex: i, shardCount: 2, levels: [0.99])
        FileManager.default.createFile(atPath: "\(folder)/part-\(i).slashsim", contents: ShardPart(header: header, scenarioText: text, outcome: outcome).encoded())
    }
}

@_cdecl("PartFuzzer_main")
public func partFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if argc == 3, let argv, String(cString: argv[1]!) == "--write-seeds" {
        writeSeeds(to: String(cString: argv[2]!))
        return 0
    }
    return runFuzzer(argc, argv, fuzzPart)
}
