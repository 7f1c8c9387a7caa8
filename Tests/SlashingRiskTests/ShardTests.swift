import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Shards and their merge: part files round-trip and detect damage; merged shards are the single run exactly.
@Suite struct ShardTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(FNV1a.hash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)  // the published FNV-1a 64 test vector
    }

    @Test func shardSpecsCoverEveryBatchOnce() {
        for (i, n) in [(4, 4), (-1, 4), (1, 0)] { #expect(ShardSpec(index: i, count: n) == nil, "\(i)/\(n)") }
        for (trials, n) in [(1_000_000, 7), (5000, 16), (1024, 3)] {
            let ranges = (0..<n).map { ShardSpec(index: $0, count: n)!.batches(trials: trials) }
            #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == (trials + 1023) / 1024)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        }
    }

    static func mergedAndSingle(_ scenario: Scenario, shards n: Int, trials: Int) throws -> (SimulationResult, SimulationResult) {
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let outcomes = (0..<n).map { engine.runShard(trials: trials, seed: 12, threads: 2, shard: ShardSpec(index: $0, count: n)!) }
        // Through the file format and back.
        let parts = try outcomes.enumerated().map { i, o in
            let header = ShardPart.Header(formatVersion: 1, slashsimVersion: "test", scenarioName: "s", scenarioFile: "s.yaml", scenarioDigest: "0",
                                          seed: 12, trials: trials, batchSize: 1024, shardIndex: i, shardCount: n, levels: [0.99])
            return try ShardPart(data: ShardPart(header: header, scenarioText: "x", outcome: o).encoded())
        }
        return (engine.merge(parts.map(\.outcome), trials: trials, seed: 12), engine.run(trials: trials, seed: 12, threads: 1))
    }

    @Test func mergedShardsAreTheSingleRun() throws {
        let plain = ScenarioFixtures.operators(losses: [100, 250, 400, 800], probabilities: [0.05, 0.02, 0.08, 0.01], correlation: .constant(0.3))
        var rich = RestakingModelTests.incidentScenario(correlation: .constant(0.2))
        rich.tokens = [TokenSpec(id: "t", backing: 5000, delegations: [("a", 1000), ("c", 2000)], depeg: DepegTerms(perNAVLoss: 2))]
        rich.portfolios = [PortfolioSpec(id: "p", holdings: [("t", 100)], leverage: LeverageSpec(debt: 80, liquidationLTV: 0.9, liquidationPenalty: 0.05))]
        for scenario in [plain, rich] {
            let (merged, single) = try Self.mergedAndSingle(scenario, shards: 4, trials: 100_000)
            #expect(merged.losses.positiveLosses == single.losses.positiveLosses)
            #expect(merged.tokenLosses.map(\.positiveLosses) == single.tokenLosses.map(\.positiveLosses))
            #expect(merged.portfolioLosses.map(\.positiveLosses) == single.portfolioLosses.map(\.positiveLosses))
            #expect(merged.faultCounts == single.faultCounts && merged.slashCounts == single.slashCounts)
            #expect(merged.incidentCounts == single.incidentCounts && merged.liquidationCounts == single.liquidationCounts)
            #expect(merged.operatorLossSums == single.operatorLossSums && merged.serviceLossSums == single.serviceLossSums)
            #expect(merged.operatorLossSquareSums == single.operatorLossSquareSums)
        }
        // More shards than batches: the empty shards merge too.
        let (merged, single) = try Self.mergedAndSingle(plain, shards: 5, trials: 3000)
        #expect(merged.losses.positiveLosses == single.losses.positiveLosses)
    }

    @Test func damagedPartsAreRefused() throws {
        let engine = SimulationEngine(model: try CompiledModel(scenario: ScenarioFixtures.operators(losses: [1, 2], probabilities: [0.5, 0.5])))
        let header = ShardPart.Header(formatVersion: 1, slashsimVersion: "t", scenarioName: "s", scenarioFile: "s.yaml", scenarioDigest: "0",
                                      seed: 1, trials: 5000, batchSize: 1024, shardIndex: 0, shardCount: 1, levels: [0.9])
        var data = ShardPart(header: header, scenarioText: "x", outcome: engine.runShard(trials: 5000, seed: 1, threads: 1, shard: ShardSpec(index: 0, count: 1)!)).encoded()
        data[data.count / 2] ^= 0x01
        #expect(throws: ShardPart.Damaged.self) { try ShardPart(data: data) }
        #expect(throws: ShardPart.Damaged.self) { try ShardPart(data: Data("SLSHPART".utf8)) }
        #expect(throws: ShardPart.Damaged.self) { try ShardPart(data: Data("not a part".utf8)) }
    }
}
