import CKernels

/// Standard normal variates from Philox4x32-10, keyed by (seed, batch, substream).
///
/// Every variate has a fixed address: normal number `i` of substream `s` of batch `b` under seed
/// `seed` is computed from Philox block `⌊i/2⌋` with counter (⌊i/2⌋, s, b_lo, b_hi) and key
/// (seed_lo, seed_hi). Each block gives two 53-bit uniforms u = (k + ½)·2⁻⁵³ in (0, 1), mapped by Φ⁻¹.
/// Results therefore depend on (seed, batch, substream, i) only: never on threads or scheduling.
public struct NormalStream: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The two 53-bit uniforms of Philox block `block` of (batch, substream).
    @inlinable @inline(__always)
    public func uniformPair(batch: UInt64, substream: UInt32, block: UInt32) -> (Double, Double) {
        let w = Philox4x32.block(
            block, substream, UInt32(truncatingIfNeeded: batch), UInt32(truncatingIfNeeded: batch >> 32),
            key: UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        let a = (UInt64(w.0) << 21) ^ UInt64(w.1 >> 11)   // 53 bits
        let b = (UInt64(w.2) << 21) ^ UInt64(w.3 >> 11)
        let scale = 1.0 / 9007199254740992.0  // 2⁻⁵³
        return ((Double(a) + 0.5) * scale, (Double(b) + 0.5) * scale)
    }

    /// Writes normals 0..<buffer.count of (batch, substream) into `buffer`, with the vectorised C kernel
    /// (`CKernels`) for this machine's instruction set. The numbers are those of `referenceFill`, bit for
    /// bit, on every instruction set (the tests check each one).
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, batch: UInt64, substream: UInt32) {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return }
        slashsim_fill_normals(out, buffer.count, seed, batch, substream)
    }

    /// Writes uniforms first ..< first + buffer.count of (batch, substream) into `buffer`: uniform i is
    /// component i mod 2 of `uniformPair(batch:substream:block: i/2)`, in (0, 1).
    public func fillUniforms(_ buffer: UnsafeMutableBufferPointer<Double>, batch: UInt64, substream: UInt32, from first: Int = 0) {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return }
        slashsim_fill_uniforms_range(out, first, buffer.count, seed, batch, substream)
    }

    /// The reference implementation of `fill` in Swift, scalar: uniforms from Philox; AS 241's central
    /// branch for every value; then the values in the tails (|u − ½| > 0.425, 15 %) with the full algorithm.
    @inlinable
    public func referenceFill(_ buffer: UnsafeMutableBufferPointer<Double>, batch: UInt64, substream: UInt32) {
        let count = buffer.count
        precondition(count / 2 < Int(UInt32.max), "substream too long")
        guard let out = buffer.baseAddress, count > 0 else { return }
        var i = 0
        var block: UInt32 = 0
        while i + 1 < count {
            let (u, v) = uniformPair(batch: batch, substream: substream, block: block)
            out[i] = u
            out[i + 1] = v
            i += 2
            block &+= 1
        }
        if i < count { out[i] = uniformPair(batch: batch, substream: substream, block: block).0 }
        // Tails are found before the central pass overwrites the uniforms.
        var tails: [(index: Int, u: Double)] = []
        tails.reserveCapacity(count / 6 + 8)
        for j in 0..<count where abs(out[j] - 0.5) > 0.425 { tails.append((j, out[j])) }
        for j in 0..<count { out[j] = NormalDistribution.centralQuantile(out[j]) }
        for t in tails { out[t.index] = NormalDistribution.quantile(t.u) }
    }
}
