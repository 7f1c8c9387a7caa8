import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `--memory`: how a run keeps its samples.
enum MemoryOption: String, ExpressibleByArgument, CaseIterable {
    case inMemory = "in-memory", bounded

    var mode: RunPlan.MemoryMode { self == .bounded ? .bounded : .inMemory }
}

/// `--shard I/N` (0 ≤ I < N).
struct ShardArgument: ExpressibleByArgument {
    let spec: ShardSpec
    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), let spec = ShardSpec(index: i, count: n) else { return nil }
        self.spec = spec
    }
}

/// Report formats of `slashsim run`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

/// A trial count: digits, with optional `_` separators, or a whole number in exponent form (`1e6`).
struct TrialCount: ExpressibleByArgument {
    let value: Int

    init?(argument: String) {
        let text = argument.replacingOccurrences(of: "_", with: "")
        if let n = Int(text) {
            value = n
        } else if let x = Double(text), x.isFinite, x.rounded() == x, abs(x) < 9e18 {
            value = Int(x)
        } else {
            return nil
        }
    }
}

/// A comma-separated list of quantile levels, each in (0, 1).
struct QuantileLevels: ExpressibleByArgument {
    let levels: [Double]

    init?(argument: String) {
        var levels: [Double] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let q = Double(part.trimmingCharacters(in: .whitespaces)), q.isFinite else { return nil }
            levels.append(q)
        }
        guard !levels.isEmpty else { return nil }
        self.levels = levels
    }
}
