import SlashingCore

/// Checks that part files make up one whole run: every part of the same run (format, scenario text, seed,
/// trials, batch size, shard count), every shard index present exactly once.
public enum ShardMerge {
    /// Why parts cannot be merged, naming the files.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The parts in shard order, or the first problem found.
    public static func ordered(_ parts: [(file: String, part: ShardPart)]) throws(Problem) -> [ShardPart] {
        guard let (firstFile, first) = parts.first.map({ ($0.file, $0.part) }) else {
            throw Problem(description: "no part files given. Fix: name the part files of one run, e.g. slashsim merge part-*.slashsim")
        }
        let a = first.header
        for (file, part) in parts.dropFirst() {
            let b = part.header
            let differences: [(String, String, String)] = [
                ("scenario", b.scenarioDigest == a.scenarioDigest ? "" : "\"\(b.scenarioName)\" (\(b.scenarioFile))", "\"\(a.scenarioName)\" (\(a.scenarioFile))"),
                ("seed", b.seed == a.seed ? "" : "\(b.seed)", "\(a.seed)"),
                ("trials", b.trials == a.trials ? "" : "\(b.trials)", "\(a.trials)"),
                ("batch size", b.batchSize == a.batchSize ? "" : "\(b.batchSize)", "\(a.batchSize)"),
                ("shard count", b.shardCount == a.shardCount ? "" : "\(b.shardCount)", "\(a.shardCount)"),
                ("slashsim version", b.slashsimVersion == a.slashsimVersion ? "" : b.slashsimVersion, a.slashsimVersion),
            ]
            if let (what, theirs, ours) = differences.first(where: { !$0.1.isEmpty }) {
                throw Problem(description: "\(file) is a part of another run: its \(what) is \(theirs), not \(ours) as in \(firstFile). Fix: merge the parts of one run only")
            }
        }
        var byIndex: [Int: String] = [:]
        var ordered = [ShardPart?](repeating: nil, count: a.shardCount)
        for (file, part) in parts {
            let i = part.header.shardIndex
            guard i >= 0, i < a.shardCount else {
                throw Problem(description: "\(file) claims shard \(i)/\(a.shardCount), which does not exist. Fix: recompute it")
            }
            if let other = byIndex[i] {
                throw Problem(description: "\(other) and \(file) are both shard \(i)/\(a.shardCount). Fix: keep one of them")
            }
            byIndex[i] = file
            ordered[i] = part
        }
        let missing = (0..<a.shardCount).filter { ordered[$0] == nil }
        if !missing.isEmpty {
            let list = missing.prefix(10).map { "\($0)/\(a.shardCount)" }.joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
            throw Problem(description: "shard\(missing.count == 1 ? "" : "s") \(list) \(missing.count == 1 ? "is" : "are") missing (\(parts.count) of \(a.shardCount) parts given). Fix: add the missing part files, or run those shards")
        }
        return ordered.map { $0! }
    }
}
