/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC 2011), as in Random123.
///
/// A pure function of a 128-bit counter and a 64-bit key: the same (counter, key) always gives the
/// same four 32-bit words, so any block of any stream can be computed directly, in any order, on
/// any thread. Verified against Random123's known-answer vectors (`kat_vectors`).
public enum Philox4x32 {
    @usableFromInline static let m0: UInt64 = 0xD251_1F53
    @usableFromInline static let m1: UInt64 = 0xCD9E_8D57
    @usableFromInline static let w0: UInt32 = 0x9E37_79B9
    @usableFromInline static let w1: UInt32 = 0xBB67_AE85

    /// The ten-round Philox4x32 bijection of `counter` under `key`.
    @inlinable @inline(__always)
    public static func block(
        _ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32,
        key k0: UInt32, _ k1: UInt32
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        var x0 = c0, x1 = c1, x2 = c2, x3 = c3
        var key0 = k0, key1 = k1
        for round in 0..<10 {
            if round > 0 {
                key0 &+= w0
                key1 &+= w1
            }
            let p0 = m0 &* UInt64(x0)
            let p1 = m1 &* UInt64(x2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            x0 = hi1 ^ x1 ^ key0
            x1 = lo1
            x2 = hi0 ^ x3 ^ key1
            x3 = lo0
        }
        return (x0, x1, x2, x3)
    }
}
