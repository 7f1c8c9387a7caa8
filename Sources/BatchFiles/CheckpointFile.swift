import Foundation
import SlashingCore

/// A run's checkpoint (`slashsim run --checkpoint FILE`): the state of the batches done (`RunState`), with the
/// identity of the run it belongs to, so that the same command goes on from it and a checkpoint of another run
/// is refused.
///
/// Layout (little-endian): the magic `SLSHCKPT`, a UInt32 length and the JSON header, then the state — batch
/// range and next batch, counts (UInt64 length + Int64 values each), the single-precision counts, the loss
/// totals and per-batch sums, the samples (UInt64 count, then each as UInt64 length + Float64 values), the
/// kept faults of the losing trials when present (so that the contributions need no replay after a resume),
/// the bounded-memory summaries when present, the seconds spent — and finally the CRC-32 of everything before it.
/// Large arrays are written straight from memory (`encode(to:)` hands out pieces), so a checkpoint of a
/// gigabyte of samples needs no second copy.
public struct Checkpoint: Sendable {
    /// What identifies the run: a checkpoint is used only by the same scenario (and tables), seed, trials,
    /// levels, memory mode, arithmetic and shard, written by the same slashsim.
    public struct Header: Codable, Sendable, Equatable {
        public var formatVersion: Int
        public var slashsimVersion: String
        public var scenarioName: String
        public var scenarioFile: String
        /// SHA-256 of the scenario's bytes and of every table file it names.
        public var scenarioDigest: String
        public var seed: UInt64
        public var trials: Int
        public var batchSize: Int
        public var levels: [Double]
        /// `in-memory` or `bounded`.
        public var memory: String
        /// `double` or `single`.
        public var arithmetic: String
        /// `I/N`, or nil for a whole run.
        public var shard: String?
        /// Trials done when written, and of a bounded run's replay (pass 2) once it started (informative: the
        /// state says it exactly).
        public var trialsDone: Int
        public var replayTrialsDone: Int?

        public init(formatVersion: Int = Checkpoint.formatVersion, slashsimVersion: String, scenarioName: String, scenarioFile: String,
                    scenarioDigest: String, seed: UInt64, trials: Int, batchSize: Int, levels: [Double], memory: String,
                    arithmetic: String, shard: String?, trialsDone: Int = 0) {
            self.formatVersion = formatVersion
            self.slashsimVersion = slashsimVersion
            self.scenarioName = scenarioName
            self.scenarioFile = scenarioFile
            self.scenarioDigest = scenarioDigest
            self.seed = seed
            self.trials = trials
            self.batchSize = batchSize
            self.levels = levels
            self.memory = memory
            self.arithmetic = arithmetic
            self.shard = shard
            self.trialsDone = trialsDone
        }

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version", slashsimVersion = "slashsim_version", scenarioName = "scenario_name"
            case scenarioFile = "scenario_file", scenarioDigest = "scenario_digest", seed, trials, batchSize = "batch_size"
            case levels, memory, arithmetic, shard, trialsDone = "trials_done", replayTrialsDone = "replay_trials_done"
        }

        /// The first way this checkpoint's run differs from the run `expected` describes, in words (nil: the same
        /// run). The scenario file's name may differ (a job may see it under another path); its digest may not.
        public func difference(from expected: Header) -> String? {
            let fields: [(String, String, String)] = [
                ("scenario", scenarioDigest, expected.scenarioDigest),
                ("seed", "\(seed)", "\(expected.seed)"),
                ("trials", "\(trials)", "\(expected.trials)"),
                ("batch size", "\(batchSize)", "\(expected.batchSize)"),
                ("quantile levels", levels.map { "\($0)" }.joined(separator: ","), expected.levels.map { "\($0)" }.joined(separator: ",")),
                ("memory mode", memory, expected.memory),
                ("arithmetic", arithmetic, expected.arithmetic),
                ("shard", shard ?? "none", expected.shard ?? "none"),
                ("slashsim version", slashsimVersion, expected.slashsimVersion),
            ]
            guard let (what, theirs, ours) = fields.first(where: { $0.1 != $0.2 }) else { return nil }
            if what == "scenario" {
                return "it is of the scenario \"\(scenarioName)\" (\(scenarioFile)) with other contents or tables (SHA-256 \(theirs.prefix(12))…, this run's \(ours.prefix(12))…)"
            }
            return "its \(what) \(what.hasSuffix("s") ? "are" : "is") \(theirs), this run's \(ours)"
        }
    }

    public static let magic = Array("SLSHCKPT".utf8)
    public static let formatVersion = 1

    public var header: Header
    public var state: RunState

    public init(header: Header, state: RunState) {
        self.header = header
        self.state = state
    }

    /// Why a file cannot be used as a checkpoint.
    public struct Damaged: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Hands the file's bytes to `sink` piece by piece (the last piece is the checksum); stops at the first
    /// piece `sink` refuses (returns false). Returns whether every piece was taken.
    @discardableResult
    public func encode(to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        withoutActuallyEscaping(sink) { sink in encode(PieceWriter(sink: sink)) }
    }

    private func encode(_ writer: PieceWriter) -> Bool {
        var out = writer
        out.bytes(Self.magic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        out.block(Array(try! encoder.encode(header)))
        let s = state
        out.u64(UInt64(s.batches.lowerBound)); out.u64(UInt64(s.batches.upperBound)); out.u64(UInt64(s.nextBatch))
        for counts in [s.faultCounts, s.slashCounts, s.incidentCounts, s.liquidationCounts] { out.integers(counts) }
        out.u64(UInt64(s.recomputedLatents)); out.u64(UInt64(s.correctedDecisions))
        out.doubles(s.lossTotals)
        out.u64(UInt64(s.batchSums.count))
        out.u64(UInt64(s.batchSums.first?.count ?? 0))
        for partial in s.batchSums { out.raw(partial) }
        out.u64(UInt64(s.samples.count))
        for sample in s.samples { out.doubles(sample) }
        if let kept = s.keptFaults {
            // 2: each batch also holds its fault modes and vetoes (1, read too: files written before they were kept).
            out.u64(2); out.u64(UInt64(s.keptFaultsFrom)); out.u64(UInt64(kept.count))
            for (batch, trials) in kept {
                out.u64(UInt64(batch))
                out.doubles(trials.totals)
                for list in [trials.faultStart, trials.faults, trials.incidentStart, trials.incidents,
                             trials.faultModes.map { Int32(bitPattern: $0) }, trials.vetoStart, trials.vetoes] { out.int32s(list) }
            }
        } else {
            out.u64(0)
        }
        if let b = s.bounded {
            out.u64(1)
            out.u64(UInt64(b.bins.count))
            for bins in b.bins { out.integers(bins.map(\.bin)); out.integers(bins.map(\.count)) }
            out.integers(b.positives); out.doubles(b.maxima); out.doubles(b.firstTotals)
            if let next = b.replayNextBatch {
                out.u64(1); out.u64(UInt64(next))
                out.u64(UInt64(b.collected.count))
                for sample in b.collected {
                    out.u64(UInt64(sample.count))
                    for bin in sample.keys.sorted() {
                        out.u64(UInt64(bin))
                        out.doubles(sample[bin]!.map(\.value)); out.integers(sample[bin]!.map(\.count))
                    }
                }
                out.u64(UInt64(b.aboveCounts.count))
                for counts in b.aboveCounts { out.integers(counts) }
                out.doubles(b.secondTotals)
            } else {
                out.u64(0)
            }
        } else {
            out.u64(0)
        }
        out.u64(s.elapsedSeconds.bitPattern)
        out.flush()
        let crc = out.crc.value
        out.u32(crc, counted: false)
        out.flush()
        return out.ok
    }

    /// The file's bytes in one array (tests, small runs).
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode { bytes.append(contentsOf: $0); return true }
        return bytes
    }

    /// Reads a checkpoint, refusing anything that is not one whole, undamaged checkpoint of this format.
    public init(bytes: UnsafeRawBufferPointer) throws(Damaged) {
        guard bytes.count >= Self.magic.count + 4, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw Damaged(description: "not a slashsim checkpoint")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)])
        var crc = CRC32.Running()
        crc.update(body)
        let stored = bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self).littleEndian
        guard crc.value == stored else { throw Damaged(description: "damaged: its checksum does not match its contents (a torn or altered file)") }
        var r = PieceReader(bytes: body, position: Self.magic.count)
        let truncated = Damaged(description: "damaged: truncated or malformed")
        guard let headerBytes = r.block(), let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw Damaged(description: "damaged: unreadable header")
        }
        guard header.formatVersion == Self.formatVersion else {
            throw Damaged(description: "checkpoint format \(header.formatVersion), but this slashsim reads format \(Self.formatVersion)")
        }
        guard let lower = r.count(), let upper = r.count(), lower <= upper, let next = r.count(),
              let faults = r.integers(), let slashes = r.integers(), let incidents = r.integers(), let liquidations = r.integers(),
              let recomputed = r.count(), let corrected = r.count(), let lossTotals = r.doubles(),
              let batchCount = r.count(), let width = r.count(), width < 1 << 24,
              batchCount == 0 || (width > 0 && batchCount <= r.remaining / 8 / width) else { throw truncated }
        var batchSums: [[Double]] = []
        for _ in 0..<batchCount {
            guard let partial = r.raw(count: width) else { throw truncated }
            batchSums.append(partial)
        }
        guard let sampleCount = r.count(), sampleCount <= r.remaining / 8 else { throw truncated }
        var samples: [[Double]] = []
        for _ in 0..<sampleCount {
            guard let sample = r.doubles() else { throw truncated }
            samples.append(sample)
        }
        guard let hasKept = r.count(), hasKept <= 2 else { throw truncated }
        var keptFaults: [(batch: Int, trials: FiledTrials)]?
        var keptFrom = 0
        if hasKept >= 1 {
            guard let from = r.count(), let count = r.count(), count <= r.remaining / 40 else { throw truncated }
            keptFrom = from
            var kept: [(batch: Int, trials: FiledTrials)] = []
            for _ in 0..<count {
                guard let batch = r.count(), let totals = r.doubles(), let faultStart = r.int32s(), let faults = r.int32s(),
                      let incidentStart = r.int32s(), let incidents = r.int32s() else { throw truncated }
                var trials = FiledTrials(totals: totals, faultStart: faultStart, faults: faults, incidentStart: incidentStart, incidents: incidents)
                if hasKept == 2 {
                    guard let modes = r.int32s(), let vetoStart = r.int32s(), let vetoes = r.int32s() else { throw truncated }
                    trials.faultModes = modes.map { UInt32(bitPattern: $0) }
                    trials.vetoStart = vetoStart
                    trials.vetoes = vetoes
                }
                kept.append((batch, trials))
            }
            keptFaults = kept
        }
        guard let hasBounded = r.count() else { throw truncated }
        var bounded: BoundedRunState?
        if hasBounded == 1 {
            guard let binSamples = r.count(), binSamples <= r.remaining / 16 else { throw truncated }
            var bins: [[(bin: Int, count: Int)]] = []
            for _ in 0..<binSamples {
                guard let which = r.integers(), let counts = r.integers(), which.count == counts.count else { throw truncated }
                bins.append(Array(zip(which, counts)).map { (bin: $0.0, count: $0.1) })
            }
            guard let positives = r.integers(), let maxima = r.doubles(), let firstTotals = r.doubles(), let inReplay = r.count() else { throw truncated }
            var state = BoundedRunState(bins: bins, positives: positives, maxima: maxima, firstTotals: firstTotals, replayNextBatch: nil,
                                        collected: [], aboveCounts: [], secondTotals: [])
            if inReplay == 1 {
                guard let replayNext = r.count(), let collectedCount = r.count(), collectedCount <= r.remaining / 8 else { throw truncated }
                for _ in 0..<collectedCount {
                    guard let binCount = r.count(), binCount <= r.remaining / 24 else { throw truncated }
                    var runs: [Int: [(value: Double, count: Int)]] = [:]
                    for _ in 0..<binCount {
                        guard let bin = r.count(), let values = r.doubles(), let counts = r.integers(), values.count == counts.count,
                              runs[bin] == nil else { throw truncated }
                        runs[bin] = Array(zip(values, counts)).map { (value: $0.0, count: $0.1) }
                    }
                    state.collected.append(runs)
                }
                guard let aboveCount = r.count(), aboveCount <= r.remaining / 8 else { throw truncated }
                for _ in 0..<aboveCount {
                    guard let counts = r.integers() else { throw truncated }
                    state.aboveCounts.append(counts)
                }
                guard let second = r.doubles() else { throw truncated }
                state.secondTotals = second
                state.replayNextBatch = replayNext
            } else if inReplay != 0 {
                throw truncated
            }
            bounded = state
        } else if hasBounded != 0 {
            throw truncated
        }
        guard let elapsed = r.u64(), r.position == body.count else { throw Damaged(description: "damaged: truncated or with extra bytes") }
        let seconds = Double(bitPattern: elapsed)
        guard seconds.isFinite, seconds >= 0 else { throw truncated }
        self.header = header
        var state = RunState(batches: lower..<upper, nextBatch: next, faultCounts: faults, slashCounts: slashes, incidentCounts: incidents,
                         liquidationCounts: liquidations, recomputedLatents: recomputed, correctedDecisions: corrected, lossTotals: lossTotals,
                         batchSums: batchSums, samples: samples, bounded: bounded, elapsedSeconds: seconds)
        state.keptFaults = keptFaults
        state.keptFaultsFrom = keptFrom
        self.state = state
    }
}

/// Writes a checkpoint's pieces to a sink, small values through a buffer and large arrays straight from memory,
/// keeping the running checksum.
private struct PieceWriter {
    let sink: (UnsafeRawBufferPointer) -> Bool
    var buffer: [UInt8] = []
    var crc = CRC32.Running()
    var ok = true

    init(sink: @escaping (UnsafeRawBufferPointer) -> Bool) { self.sink = sink }

    mutating func emit(_ piece: UnsafeRawBufferPointer, counted: Bool = true) {
        guard ok, piece.count > 0 else { return }
        if counted { crc.update(piece) }
        ok = sink(piece)
    }
    mutating func flush(counted: Bool = true) {
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        pending.withUnsafeBytes { emit($0, counted: counted) }
    }
    mutating func bytes(_ b: [UInt8]) { buffer += b; if buffer.count >= 1 << 16 { flush() } }
    mutating func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { buffer += $0 }; if buffer.count >= 1 << 16 { flush() } }
    mutating func u32(_ x: UInt32, counted: Bool) {
        flush()
        withUnsafeBytes(of: x.littleEndian) { emit($0, counted: counted) }
    }
    mutating func block(_ b: [UInt8]) { u32(UInt32(b.count), counted: true); bytes(b) }
    mutating func integers(_ xs: [Int]) {
        u64(UInt64(xs.count))
        flush()
        let little = xs.map { Int64($0).littleEndian }
        little.withUnsafeBytes { emit($0) }
    }
    mutating func doubles(_ xs: [Double]) { u64(UInt64(xs.count)); raw(xs) }
    mutating func int32s(_ xs: [Int32]) {
        u64(UInt64(xs.count))
        flush()
        #if _endian(little)
        xs.withUnsafeBytes { emit($0) }
        #else
        let little = xs.map { $0.littleEndian }
        little.withUnsafeBytes { emit($0) }
        #endif
    }
    /// The values' bits, little-endian, with no count.
    mutating func raw(_ xs: [Double]) {
        flush()
        #if _endian(little)
        xs.withUnsafeBytes { emit($0) }
        #else
        let little = xs.map { $0.bitPattern.littleEndian }
        little.withUnsafeBytes { emit($0) }
        #endif
    }
}

/// Reads a checkpoint's values, checking every count against the bytes left before it allocates or loops.
private struct PieceReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    var remaining: Int { bytes.count - position }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { position += 4 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
    }
    /// A UInt64 that fits an Int (a count, index or bit pattern read back as Int).
    mutating func count() -> Int? {
        guard remaining >= 8 else { return nil }
        let x = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
        position += 8
        return x <= UInt64(Int.max) ? Int(x) : nil
    }
    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { position += 8 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
    }
    mutating func block() -> [UInt8]? {
        guard let n = u32(), Int(n) <= remaining else { return nil }
        defer { position += Int(n) }
        return Array(bytes[position..<(position + Int(n))])
    }
    mutating func integers() -> [Int]? {
        guard let n = count(), n >= 0, n <= remaining / 8 else { return nil }
        defer { position += 8 * n }
        let base = position
        return (0..<n).map { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 8 * $0, as: Int64.self))) }
    }
    mutating func int32s() -> [Int32]? {
        guard let n = count(), n <= remaining / 4 else { return nil }
        let base = position
        position += 4 * n
        return (0..<n).map { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 4 * $0, as: Int32.self)) }
    }
    mutating func doubles() -> [Double]? {
        guard let n = count(), n >= 0 else { return nil }
        return raw(count: n)
    }
    mutating func raw(count n: Int) -> [Double]? {
        guard n >= 0, n <= remaining / 8 else { return nil }
        let base = position
        position += 8 * n
        // An empty array is built without a buffer: `init(unsafeUninitializedCapacity: 0)` writes its count
        // into the stdlib's shared empty-array storage, a (benign) race ThreadSanitizer reports.
        guard n > 0 else { return [] }
        return [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
            for k in 0..<n {
                buffer[k] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 8 * k, as: UInt64.self)))
            }
            initialized = n
        }
    }
}
