import BatchFiles
import Foundation
@testable import ScenarioFormat
import SlashingCore
import TestSupport
import Testing

/// Mutation fuzzing of the other parsers (issue 18): CSV tables, NumPy `.npy` arrays, stress files, shard
/// part files and checkpoints. 10,000 mutants each (2,000 in the sanitizer builds, which run 5–10× slower), fixed seeds: every
/// mutant is read or refused with a message; nothing crashes, hangs or allocates absurdly. (They found two
/// part-file bugs: a damaged thread count trapped, and a damaged batch count ran for ever.)
@Suite struct ParserFuzzTests {
    static let mutants = LimitsAtScaleTests.instrumented ? 2_000 : 10_000
    /// At least this many mutants of each kind (read, refused) per 10,000.
    static func atLeast(_ perTenThousand: Int) -> Int { perTenThousand * mutants / 10_000 }
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios")
    static let csvAlphabet = Array(",\n\r\"'0123456789.-+eE ﻿abc_x\t\\;".utf8) + [0, 0xFF, 0xC3]

    @Test(.timeLimit(.minutes(2))) func csvMutants() throws {
        let base = Array("id,stake,fault_probability,tags.cloud\nop-a,32000,0.01,aws\n\"op,b\",64000,2e-2,\"g\"\"cp\"\nop-c,1.6e4,0.03,\n".utf8)
        var random = SplitMix64(seed: 18_001)
        var parsed = 0, refused = 0
        for _ in 0..<Self.mutants {
            let bytes = Mutants.mutant(of: base, edits: 1...4, alphabet: Self.csvAlphabet, using: &random)
            do {
                let table = try bytes.withUnsafeBufferPointer { try CSVTable($0) }
                #expect(table.rows.allSatisfy { $0.count == table.columns.count })
                parsed += 1
            } catch let error as CSVTable.Problem {
                #expect(!error.message.isEmpty && !error.fix.isEmpty && error.line >= 1)
                refused += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(parsed > Self.atLeast(1000) && refused > Self.atLeast(1000), "parsed \(parsed), refused \(refused)")
    }

    @Test(.timeLimit(.minutes(2))) func npyMutants() throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }"
        header += String(repeating: " ", count: 63 - (10 + header.count) % 64) + "\n"
        var base = NumPyArray.magic + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        for x in [1.0, 0.3, 0.1, 0.3, 1, 0.2, 0.1, 0.2, 1] { withUnsafeBytes(of: x.bitPattern.littleEndian) { base += $0 } }
        let alphabet = Array("'(),:{}0123456789 <>|fiu8TrueFalsdcr_".utf8) + [0, 0xFF, 0x93, 1, 2, 3]
        var random = SplitMix64(seed: 18_002)
        var parsed = 0, refused = 0
        for _ in 0..<Self.mutants {
            let bytes = Mutants.mutant(of: base, edits: 1...3, alphabet: alphabet, using: &random)
            do {
                let array = try bytes.withUnsafeBytes { try NumPyArray($0) }
                #expect(array.shape.reduce(1, *) == array.values.count)
                parsed += 1
            } catch let error as NumPyArray.Problem {
                #expect(!error.field.isEmpty && !error.message.isEmpty && !error.fix.isEmpty)
                refused += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(parsed > Self.atLeast(500) && refused > Self.atLeast(1000), "parsed \(parsed), refused \(refused)")
    }

    /// Stress files applied to their bundled base: line-level mutants (values replaced, lines dropped, keys
    /// misspelt) of both bundled stresses; a mutant that applies also compiles or is refused with diagnostics.
    /// The input the libFuzzer target (Fuzz/) found: an empty key whose tuple is not closed was refused with an
    /// empty field name.
    @Test func npyFoundByLibFuzzer() throws {
        let input = try #require(Data(base64Encoded: "k05VTVBZAQBUAHsnZGUnOiAoMywpLCwgJ3No/ztyJzogKDMsKSwsICdzaP87cic6IEZhbHNlLCAnc2hhZjlwZSc6ICgzLCksLCAnJzogKDMsZjogfSAgICAgICAgICAgICAgICAgICAgASAgICAg"))
        do {
            _ = try input.withUnsafeBytes { try NumPyArray($0) }
            Issue.record("read")
        } catch let error as NumPyArray.Problem {
            #expect(error.field == "header" && error.message == "the header's tuple is not closed")
        }
    }

    @Test(.timeLimit(.minutes(3))) func stressMutants() throws {
        let base = try ScenarioLoader.load(path: Self.scenarios.appendingPathComponent("three-lrts.yaml").path)
        let originals = try ["avs-bug.yaml", "cloud-outage.yaml"].map {
            try String(contentsOf: Self.scenarios.appendingPathComponent("stresses/\($0)"), encoding: .utf8)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-stress-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("mutant.yaml")
        var random = SplitMix64(seed: 18_003)
        let fuzz = ScenarioFuzzTests()
        var applied = 0, refused = 0
        for i in 0..<Self.mutants {
            try Data(fuzz.mutate(originals[i % 2], rng: &random).utf8).write(to: file)
            do {
                let (_, stressed) = try StressLoader.load(path: file.path, base: base)
                if i % 20 == 0 { _ = try? CompiledModel(scenario: stressed) }
                applied += 1
            } catch {
                #expect(!error.diagnostics.isEmpty && error.diagnostics.allSatisfy { !$0.problem.isEmpty && !$0.fix.isEmpty })
                refused += 1
            }
        }
        #expect(applied > Self.atLeast(500) && refused > Self.atLeast(1000), "applied \(applied), refused \(refused)")
    }

    /// Part files: byte mutants of a real part with the checksum recomputed (so the structure behind the
    /// CRC is what gets fuzzed), and without it (every one refused by the checksum).
    @Test(.timeLimit(.minutes(2))) func partFileMutants() throws {
        // A small part (about a kilobyte: the checksum of every mutant is computed in a debug build).
        var scenario = ScenarioFixtures.operators(losses: [10, 20, 40], probabilities: [0.01, 0.02, 0.005], correlation: .constant(0.3))
        scenario.name = "part"
        let model = try CompiledModel(scenario: scenario)
        let outcome = SimulationEngine(model: model).runShard(trials: 2048, seed: 3, threads: 1, shard: ShardSpec(index: 0, count: 2)!)
        let header = ShardPart.Header(formatVersion: ShardPart.formatVersion, slashsimVersion: "test", scenarioName: "part", scenarioFile: "p.yaml",
                                      scenarioDigest: "0", seed: 3, trials: 2048, batchSize: RunLimits.batchSize, shardIndex: 0, shardCount: 2,
                                      levels: [0.99])
        let original = [UInt8](ShardPart(header: header, scenarioText: "name: part\n", outcome: outcome).encoded())
        #expect((try? ShardPart(data: Data(original))) != nil)
        let alphabet: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFF, UInt8(ascii: "{"), UInt8(ascii: "\""), UInt8(ascii: "9")]
        var random = SplitMix64(seed: 18_004)
        var read = 0, refused = 0
        for i in 0..<Self.mutants {
            var bytes = Mutants.mutant(of: Array(original.dropLast(4)), edits: 1...3, alphabet: alphabet, using: &random)
            if i % 10 != 0 {  // the checksum made to match, nine times in ten
                let crc = CRC32.checksum(bytes[...])
                bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
            } else {
                bytes += original.suffix(4)
            }
            do {
                let part = try ShardPart(data: Data(bytes))
                // What was read writes back into a part that reads the same.
                let again = try ShardPart(data: part.encoded())
                #expect(again.header == part.header && again.scenarioText == part.scenarioText)
                #expect(again.encoded() == part.encoded())  // bytes: a NaN read back is the same NaN
                read += 1
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
            }
        }
        #expect(refused > Self.atLeast(1000), "read \(read), refused \(refused)")
    }

    /// Checkpoints (in memory with kept faults, and bounded in pass 2), mutated with the checksum made to match
    /// nine times in ten: every mutant is refused with a message, or read — and then either refused by
    /// `RunState.fits` or run to the end without a trap (the engine goes on from whatever passed the check).
    @Test(.timeLimit(.minutes(3))) func checkpointMutants() throws {
        // Small checkpoints (1–2 kB: the checksum of every mutant is computed in a debug build): the plain model in
        // memory, the restaking one (tokens, portfolios, the loss pass's totals) bounded.
        let engines = try [CheckpointTests.plain, CheckpointTests.richScenario()].map { SimulationEngine(model: try CompiledModel(scenario: $0)) }
        let trials = 2048, all = 0..<2, levels = [0.9, 0.99]
        let memories: [SimulationEngine.ResumableMemory] = [.inMemory(keepFaults: true), .bounded(levels: levels)]
        let alphabet: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x3F, 0xF0, UInt8(ascii: "{"), UInt8(ascii: "9")]
        var random = SplitMix64(seed: 18_005)
        var read = 0, refused = 0, ran = 0
        for (k, memory) in memories.enumerated() {
            let engine = engines[k]
            let run = engine.resumableRun(trials: trials, seed: 3, threads: 1, memory: memory)
            // In memory: one batch of two done. Bounded: pass 1 done and one batch of the replay.
            repeat { run.advance(control: RunControl(maxSeconds: 0), progress: nil) } while k == 1 && run.replayTrialsDone == nil
            if k == 1 { run.advance(control: RunControl(maxSeconds: 0), progress: nil) }
            #expect(!run.isFinished)
            let bounded = k == 1
            let original = Checkpoint(header: CheckpointTests.header, state: run.state).encoded()
            var ranOfKind = 0
            for i in 0..<(Self.mutants / 2) {
                var bytes = Mutants.mutant(of: Array(original.dropLast(4)), edits: 1...3, alphabet: alphabet, using: &random)
                if i % 10 != 0 {
                    let crc = CRC32.checksum(bytes[...])
                    bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
                } else {
                    bytes += original.suffix(4)
                }
                let checkpoint: Checkpoint
                do {
                    checkpoint = try bytes.withUnsafeBytes { raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw) }
                } catch {
                    #expect(!"\(error)".isEmpty)
                    refused += 1
                    continue
                }
                read += 1
                // What was read writes back into a checkpoint that reads the same.
                let again = checkpoint.encoded()
                let reread = try again.withUnsafeBytes { raw throws(Checkpoint.Damaged) in try Checkpoint(bytes: raw) }
                #expect(reread.encoded() == again)  // bytes: a NaN read back is the same NaN
                guard checkpoint.state.fits(model: engine.model, batches: all, levels: bounded ? levels.count : nil) else { continue }
                // The first 60 of each kind that pass the check are run to the end (a bounded run sets up a 2¹⁹-bin
                // histogram per sample: running them all would take most of the test's time).
                guard ranOfKind < 60 else { continue }
                ranOfKind += 1
                let resumed = engine.resumableRun(trials: trials, seed: 3, threads: 1, memory: memory, from: checkpoint.state)
                while !resumed.isFinished { resumed.advance(control: nil, progress: nil) }
                guard let result = try? resumed.result() else { continue }  // refused: its parts disagree
                _ = result.distribution.summarize(levels: levels)
                _ = engine.contributions(of: result, levels: levels, threads: 1)
                ran += 1
            }
        }
        #expect(refused > Self.atLeast(1000) && read > Self.atLeast(100) && ran >= Self.atLeast(100), "read \(read), refused \(refused), ran \(ran)")
    }
}
