import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import Testing
import TestSupport

/// Checkpoints: a run stopped after any prefix of its batches, written to a checkpoint, read back in a fresh
/// run and finished gives the uninterrupted run's result exactly — in memory, bounded (in either pass), and
/// for shards; damaged or foreign checkpoints are refused.
@Suite struct CheckpointTests {
    static func richScenario() -> Scenario {
        var rich = RestakingModelTests.incidentScenario(correlation: .constant(0.2))
        rich.tokens = [TokenSpec(id: "t", backing: 5000, delegations: [("a", 1000), ("c", 2000)], depeg: DepegTerms(perNAVLoss: 2))]
        rich.portfolios = [PortfolioSpec(id: "p", holdings: [("t", 100)], leverage: LeverageSpec(debt: 80, liquidationLTV: 0.9, liquidationPenalty: 0.05))]
        return rich
    }

    static let plain = ScenarioFixtures.operators(losses: [100, 250, 400, 800], probabilities: [0.05, 0.02, 0.08, 0.01], correlation: .constant(0.3))

    static let header = Checkpoint.Header(slashsimVersion: "test", scenarioName: "s", scenarioFile: "s.yaml", scenarioDigest: "d", seed: 12,
                                          trials: 1, batchSize: 1024, levels: [0.99], memory: "in-memory", arithmetic: "double", shard: nil)

    /// The state through the file format and back.
    static func roundTrip(_ state: RunState) throws -> RunState {
        let bytes = Checkpoint(header: header, state: state).encoded()
        return try bytes.withUnsafeBytes { raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw).state }
    }

    /// Runs to the end, stopping after `stops` single-batch steps at a time and going on each time in a new
    /// run built from the written-and-read checkpoint (as a new process would).
    /// `dropKeptFaults`: as if the checkpoints had kept no faults (over the memory budget), so that the
    /// contributions replay the batches before the last resume.
    static func interrupted(_ engine: SimulationEngine, trials: Int, memory: SimulationEngine.ResumableMemory, shard: ShardSpec? = nil,
                            every stride: Int, dropKeptFaults: Bool = false) throws -> any ResumableRun {
        var run = engine.resumableRun(trials: trials, seed: 12, threads: 1, memory: memory, shard: shard)
        var steps = 0
        while !run.isFinished {
            run.advance(control: RunControl(maxSeconds: 0), progress: nil)  // one batch with one thread
            steps += 1
            if steps % stride == 0 {
                var state = try roundTrip(run.state)
                if memory == .inMemory(keepFaults: true), shard == nil { #expect(state.keptFaults != nil) }
                if dropKeptFaults { state.keptFaults = nil }
                let levels: Int? = if case .bounded(let levels) = memory { Set(levels).count } else { nil }
                let all = 0..<((trials + RunLimits.batchSize - 1) / RunLimits.batchSize)
                #expect(state.fits(model: engine.model, batches: shard?.batches(trials: trials) ?? all, levels: levels, shard: shard != nil))
                run = engine.resumableRun(trials: trials, seed: 12, threads: 2, memory: memory, shard: shard, from: state)
            }
        }
        return run
    }

    /// The kept faults carry fault modes and vetoes through the checkpoint file (index 2).
    @Test(arguments: [0, 1, 2])
    func resumedInMemoryRunsAreTheUninterruptedRun(index: Int) throws {
        let modesAndVetoes = KeptFaultContributionTests.scenarios().first { $0.0 == "modes and vetoes" }!.1
        let engine = SimulationEngine(model: try CompiledModel(scenario: [Self.plain, Self.richScenario(), modesAndVetoes][index]))
        let trials = 20 * 1024 + 300  // a short last batch
        let single = engine.run(trials: trials, seed: 12, threads: 2, keepFaultsForContributions: true)
        let levels = [0.9, 0.99]
        let expected = engine.contributions(of: single, levels: levels, threads: 2)
        for (stride, drop) in [(1, false), (3, true), (7, false), (5, true), (100, false)] {
            let resumed = try Self.interrupted(engine, trials: trials, memory: .inMemory(keepFaults: true), every: stride,
                                               dropKeptFaults: drop).result()
            #expect(resumed.trials == trials && !resumed.isPartial)
            #expect(resumed.losses.positiveLosses == single.losses.positiveLosses, "stride \(stride)")
            #expect(resumed.tokenLosses.map(\.positiveLosses) == single.tokenLosses.map(\.positiveLosses))
            #expect(resumed.portfolioLosses.map(\.positiveLosses) == single.portfolioLosses.map(\.positiveLosses))
            #expect(resumed.faultCounts == single.faultCounts && resumed.slashCounts == single.slashCounts)
            #expect(resumed.incidentCounts == single.incidentCounts && resumed.liquidationCounts == single.liquidationCounts)
            #expect(resumed.operatorLossSums == single.operatorLossSums && resumed.serviceLossSums == single.serviceLossSums)
            #expect(resumed.operatorLossSquareSums == single.operatorLossSquareSums)
            // The contributions: from the kept faults, with the batches before the last resume replayed when dropped.
            #expect(resumed.keptFaultsForContributions)
            let contributions = engine.contributions(of: resumed, levels: levels, threads: 2)
            #expect(contributions.operators == expected.operators && contributions.services == expected.services, "stride \(stride)")
        }
    }

    @Test func resumedBoundedRunsAreTheUninterruptedRun() throws {
        let levels = [0.9, 0.99, 0.999]
        for scenario in [Self.plain, Self.richScenario()] {
            let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
            let trials = 12 * 1024 + 17
            let single = engine.runBounded(trials: trials, seed: 12, threads: 2, levels: levels)
            // Strides that stop inside pass 1 (13 batches), across the switch to pass 2, and inside pass 2.
            for stride in [4, 9] {
                let resumed = try Self.interrupted(engine, trials: trials, memory: .bounded(levels: levels), every: stride).result()
                for (a, b) in zip([resumed.distribution] + resumed.tokenDistributions + resumed.portfolioDistributions,
                                  [single.distribution] + single.tokenDistributions + single.portfolioDistributions) {
                    #expect(a.summarize(levels: levels) == b.summarize(levels: levels), "stride \(stride)")
                }
                #expect(resumed.faultCounts == single.faultCounts && resumed.operatorLossSums == single.operatorLossSums)
            }
        }
    }

    @Test func resumedShardsAreTheirUninterruptedOutcome() throws {
        let engine = SimulationEngine(model: try CompiledModel(scenario: Self.richScenario()))
        let trials = 30_000
        for i in 0..<3 {
            let shard = ShardSpec(index: i, count: 3)!
            let single = engine.runShard(trials: trials, seed: 12, threads: 2, shard: shard)
            let resumed = try Self.interrupted(engine, trials: trials, memory: .inMemory(keepFaults: false), shard: shard, every: 2).shardOutcome()
            #expect(resumed.samples == single.samples && resumed.batchSums == single.batchSums)
            #expect(resumed.faultCounts == single.faultCounts && resumed.liquidationCounts == single.liquidationCounts)
        }
    }

    @Test func damagedCheckpointsAreRefused() throws {
        let engine = SimulationEngine(model: try CompiledModel(scenario: Self.richScenario()))
        let run = engine.resumableRun(trials: 5000, seed: 12, threads: 1, memory: .inMemory(keepFaults: false))
        run.advance(control: RunControl(maxSeconds: 0), progress: nil)
        let bytes = Checkpoint(header: Self.header, state: run.state).encoded()
        func read(_ b: [UInt8]) -> String? {
            b.withUnsafeBytes { raw -> String? in
                do { _ = try Checkpoint(bytes: raw); return nil } catch { return "\(error)" }
            }
        }
        #expect(read(bytes) == nil)
        var rng = SplitMix64(seed: 5)
        for _ in 0..<200 {
            var damaged = bytes
            let at = Int(rng.next() % UInt64(bytes.count))
            damaged[at] ^= UInt8(1 + rng.next() % 255)
            #expect(read(damaged) != nil)
        }
        #expect(read(Array(bytes.dropLast(9))) != nil)
        #expect(read(Array("{\"trials\": 5}".utf8))?.contains("not a slashsim checkpoint") == true)
        #expect(read(bytes)?.isEmpty ?? true)
    }

    @Test func foreignRunsAreNamedByTheirFirstDifference() {
        var other = Self.header
        #expect(other.difference(from: Self.header) == nil)
        other.scenarioFile = "elsewhere/s.yaml"  // the same bytes under another path: the same run
        #expect(other.difference(from: Self.header) == nil)
        other.seed = 7
        #expect(other.difference(from: Self.header) == "its seed is 7, this run's 12")
        other = Self.header
        other.scenarioDigest = "e"
        #expect(other.difference(from: Self.header)?.contains("other contents or tables") == true)
        other = Self.header
        other.shard = "1/4"
        #expect(other.difference(from: Self.header) == "its shard is 1/4, this run's none")
    }

    @Test func slicedCRCIsTheBytewiseCRC() {
        var rng = SplitMix64(seed: 9)
        for length in [0, 1, 7, 8, 9, 63, 64, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            #expect(CRC32.checksum(bytes) == c ^ 0xFFFF_FFFF, "length \(length)")
            // In pieces.
            var running = CRC32.Running()
            let cut = length / 3
            bytes[..<cut].withUnsafeBytes { running.update($0) }
            bytes[cut...].withUnsafeBytes { running.update($0) }
            #expect(running.value == c ^ 0xFFFF_FFFF)
        }
    }
}
