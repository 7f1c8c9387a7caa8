import Foundation
import SlashingCore

/// A shard's part file (`slashsim run --shard i/n --output part-i.slashsim`): compact, versioned, checksummed.
///
/// Layout (little-endian): the magic `SLSHPART`, a UInt32 length and the JSON header, a UInt32 length and the
/// scenario text (so `merge` needs nothing else), then the outcome — fault, slash, incident and liquidation
/// counts (UInt64 length + Int64 values each), the samples (UInt64 count, then each as UInt64 length + Float64
/// values), the batch sums (UInt64 count, UInt64 width, Float64 values) — and finally the CRC-32 of everything
/// before it.
public struct ShardPart: Sendable {
    public struct Header: Codable, Sendable, Equatable {
        public var formatVersion: Int
        public var slashsimVersion: String
        public var scenarioName: String
        public var scenarioFile: String
        /// FNV-1a 64 of the scenario text, in hex.
        public var scenarioDigest: String
        public var seed: UInt64
        public var trials: Int
        public var batchSize: Int
        public var shardIndex: Int
        public var shardCount: Int
        public var levels: [Double]

        public init(formatVersion: Int, slashsimVersion: String, scenarioName: String, scenarioFile: String, scenarioDigest: String,
                    seed: UInt64, trials: Int, batchSize: Int, shardIndex: Int, shardCount: Int, levels: [Double]) {
            self.formatVersion = formatVersion
            self.slashsimVersion = slashsimVersion
            self.scenarioName = scenarioName
            self.scenarioFile = scenarioFile
            self.scenarioDigest = scenarioDigest
            self.seed = seed
            self.trials = trials
            self.batchSize = batchSize
            self.shardIndex = shardIndex
            self.shardCount = shardCount
            self.levels = levels
        }

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version", slashsimVersion = "slashsim_version", scenarioName = "scenario_name"
            case scenarioFile = "scenario_file", scenarioDigest = "scenario_digest", seed, trials, batchSize = "batch_size"
            case shardIndex = "shard_index", shardCount = "shard_count", levels
        }
    }

    public static let magic = Array("SLSHPART".utf8)
    public static let formatVersion = 1

    public var header: Header
    public var scenarioText: String
    public var outcome: ShardOutcome

    public init(header: Header, scenarioText: String, outcome: ShardOutcome) {
        self.header = header
        self.scenarioText = scenarioText
        self.outcome = outcome
    }

    public func encoded() -> Data {
        var w = ByteWriter()
        w.bytes(Self.magic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        w.block(Array(try! encoder.encode(header)))
        w.block(Array(scenarioText.utf8))
        for counts in [outcome.faultCounts, outcome.slashCounts, outcome.incidentCounts, outcome.liquidationCounts] { w.integers(counts) }
        w.u64(UInt64(outcome.samples.count))
        for sample in outcome.samples { w.doubles(sample) }
        w.u64(UInt64(outcome.batchSums.count))
        w.u64(UInt64(outcome.batchSums.first?.count ?? 0))
        for partial in outcome.batchSums { for x in partial { w.u64(x.bitPattern) } }
        w.u64(UInt64(outcome.threads))
        w.u64(outcome.elapsedSeconds.bitPattern)
        let crc = CRC32.checksum(w.data)
        w.u32(crc)
        return Data(w.data)
    }

    /// Why a part file cannot be used.
    public struct Damaged: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(data: Data) throws(Damaged) {
        let bytes = [UInt8](data)
        guard bytes.count >= Self.magic.count + 4, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw Damaged(description: "not a slashsim part file")
        }
        let body = bytes[..<(bytes.count - 4)]
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard CRC32.checksum(body) == stored else { throw Damaged(description: "damaged: its checksum does not match its contents") }
        var r = ByteReader(bytes: Array(body), position: Self.magic.count)
        guard let headerBytes = r.block(), let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw Damaged(description: "damaged: unreadable header")
        }
        guard header.formatVersion == Self.formatVersion else {
            throw Damaged(description: "part format \(header.formatVersion), but this slashsim reads format \(Self.formatVersion)")
        }
        guard let text = r.block().flatMap({ String(bytes: $0, encoding: .utf8) }),
              let faults = r.integers(), let slashes = r.integers(), let incidents = r.integers(), let liquidations = r.integers(),
              let sampleCount = r.u64(), sampleCount <= UInt64(body.count - r.position) / 8 else {  // each sample at least its count
            throw Damaged(description: "damaged: truncated")
        }
        var samples: [[Double]] = []
        for _ in 0..<sampleCount {
            guard let sample = r.doubles() else { throw Damaged(description: "damaged: truncated") }
            samples.append(sample)
        }
        // The counts are checked against the bytes left before any loop: a damaged count must not run for ever
        // (2³⁹ empty partials) or allocate what the file cannot hold.
        guard let batchCount = r.u64(), let width = r.u64(), width < 1 << 24,
              batchCount == 0 || (width > 0 && batchCount <= UInt64(body.count - r.position) / 8 / width) else {
            throw Damaged(description: "damaged: truncated")
        }
        var batchSums: [[Double]] = []
        for _ in 0..<batchCount {
            var partial: [Double] = []
            for _ in 0..<width {
                guard let bits = r.u64() else { throw Damaged(description: "damaged: truncated") }
                partial.append(Double(bitPattern: bits))
            }
            batchSums.append(partial)
        }
        guard let threads = r.u64(), let elapsed = r.u64(), r.position == body.count else { throw Damaged(description: "damaged: truncated or with extra bytes") }
        guard threads <= 1 << 20 else { throw Damaged(description: "damaged: \(threads) threads") }
        self.header = header
        scenarioText = text
        outcome = ShardOutcome(faultCounts: faults, slashCounts: slashes, incidentCounts: incidents, liquidationCounts: liquidations,
                               samples: samples, batchSums: batchSums, elapsedSeconds: Double(bitPattern: elapsed), threads: Int(threads))
    }
}

struct ByteWriter {
    var data: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { data += b }
    mutating func u32(_ x: UInt32) { for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: x >> (8 * UInt32(i)))) } }
    mutating func u64(_ x: UInt64) { for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: x >> (8 * UInt64(i)))) } }
    mutating func block(_ b: [UInt8]) { u32(UInt32(b.count)); data += b }
    mutating func integers(_ xs: [Int]) { u64(UInt64(xs.count)); for x in xs { u64(UInt64(bitPattern: Int64(x))) } }
    mutating func doubles(_ xs: [Double]) {
        u64(UInt64(xs.count))
        data.reserveCapacity(data.count + 8 * xs.count)
        for x in xs { u64(x.bitPattern) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var position: Int

    mutating func u32() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var x: UInt32 = 0
        for i in 0..<4 { x |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return x
    }
    mutating func u64() -> UInt64? {
        guard position + 8 <= bytes.count else { return nil }
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return x
    }
    mutating func block() -> [UInt8]? {
        guard let n = u32(), position + Int(n) <= bytes.count else { return nil }
        defer { position += Int(n) }
        return Array(bytes[position..<(position + Int(n))])
    }
    mutating func integers() -> [Int]? {
        guard let n = u64(), n <= UInt64(bytes.count - position) / 8 else { return nil }
        return (0..<Int(n)).map { _ in Int(Int64(bitPattern: u64()!)) }
    }
    mutating func doubles() -> [Double]? {
        guard let n = u64(), n <= UInt64(bytes.count - position) / 8 else { return nil }
        return (0..<Int(n)).map { _ in Double(bitPattern: u64()!) }
    }
}
