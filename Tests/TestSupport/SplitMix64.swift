/// A small deterministic generator for test data (SplitMix64).
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutants of a file's bytes for the parsers' fuzz-style tests.
public enum Mutants {
    /// `base` with `edits` random edits (a byte deleted, duplicated, or replaced by one of `alphabet`); an edit that
    /// empties it leaves `0` instead.
    public static func mutant(of base: [UInt8], edits: ClosedRange<Int>, alphabet: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = base
        for _ in 0..<Int.random(in: edits, using: &random) {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(bytes[at], at: at)
            default: bytes[at] = alphabet.randomElement(using: &random)!
            }
            if bytes.isEmpty { bytes = [UInt8(ascii: "0")] }
        }
        return bytes
    }
}
