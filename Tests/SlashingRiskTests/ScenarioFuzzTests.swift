import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import TestSupport
import Testing

/// Mutation fuzzing of the decoder, the validator and the engine: every mutant of the bundled scenarios
/// is either a valid scenario (which then compiles and simulates) or gets diagnostics; nothing crashes
/// and nothing hangs. Fixed seed, so the same 10,000 mutants every run (the first 2,000 in the sanitizer builds,
/// which run 5–10× slower: their job there is memory and threads, not coverage).
@Suite struct ScenarioFuzzTests {
    static let scenarioFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    static let replacements = [
        "1e400", "-1e400", ".nan", ".inf", "-.inf", "NaN", "-0", "0", "1e-320", "1e308", "-1", "2", "0.5",
        "999999999999999999999", "\"x\"", "true", "null", "~", "[]", "{}", "[1, [2]]", "{a: 1}", "\"\"", "&a 1", "*a",
        "'1'", "0x10", "1_000", "\u{0}", "é", "\"\\u0000\"",
    ]

    @Test(.timeLimit(.minutes(3)))
    func tenThousandMutantsNeverCrashOrHang() throws {
        let originals = try ["default.yaml", "example.yaml"].map {
            try String(contentsOf: Self.scenarioFolder.appendingPathComponent($0), encoding: .utf8)
        }
        var rng = SplitMix64(seed: 20251125)
        var valid = 0, invalid = 0
        for i in 0..<ParserFuzzTests.mutants {
            let text = mutate(originals[i % originals.count], rng: &rng)
            let format: ScenarioSyntax = i % 7 == 0 ? .json : .yaml
            do {
                let scenario = try ScenarioLoader.decode(data: Data(text.utf8), file: "mutant.yaml", format: format)
                valid += 1
                if let model = try? CompiledModel(scenario: scenario), i % 10 == 0 {
                    let result = SimulationEngine(model: model).run(trials: 300, seed: UInt64(i), threads: 1)
                    let summary = RiskStatistics.summarize(result.losses, levels: scenario.simulation.quantiles)
                    #expect(summary.mean.isFinite && summary.mean >= 0)
                }
            } catch {
                invalid += 1
                #expect(!error.diagnostics.isEmpty)
                #expect(error.diagnostics.allSatisfy { !$0.problem.isEmpty && !$0.fix.isEmpty })
            }
        }
        let n = ParserFuzzTests.mutants
        #expect(valid + invalid == n)
        #expect(valid > n / 20 && invalid > n / 2, "valid \(valid), invalid \(invalid): the mutations should hit both")
    }

    /// One to three random edits: delete, duplicate or swap lines, replace a value, insert punctuation,
    /// misspell a key, or truncate.
    func mutate(_ text: String, rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0...Int.random(in: 0...2, using: &rng) {
            guard !lines.isEmpty else { break }
            let at = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: lines.remove(at: at)
            case 1: lines.insert(lines[at], at: at)
            case 2: lines.swapAt(at, Int.random(in: 0..<lines.count, using: &rng))
            case 3:  // replace the value after one `key: `
                var line = lines[at]
                if let colon = line.indices.filter({ line[$0] == ":" }).randomElement(using: &rng) {
                    let end = line[colon...].firstIndex(where: { $0 == "," || $0 == "}" || $0 == "]" }) ?? line.endIndex
                    line.replaceSubrange(line.index(after: colon)..<end, with: " " + Self.replacements.randomElement(using: &rng)!)
                    lines[at] = line
                }
            case 4:
                var line = lines[at]
                let punctuation = Array("[]{}:,-\"'&*!|>#%@`\t")
                line.insert(punctuation.randomElement(using: &rng)!, at: line.index(line.startIndex, offsetBy: Int.random(in: 0...line.count, using: &rng)))
                lines[at] = line
            case 5:
                for key in ["fault_probability", "stake", "magnitude", "slash_fraction", "operators", "matrix", "trials"] where lines[at].contains(key) {
                    lines[at] = lines[at].replacingOccurrences(of: key, with: String(key.dropLast()))
                    break
                }
            default:
                let joined = lines.joined(separator: "\n")
                let cut = Int.random(in: 0...joined.utf8.count, using: &rng)
                lines = String(decoding: joined.utf8.prefix(cut), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
        }
        return lines.joined(separator: "\n")
    }
}
