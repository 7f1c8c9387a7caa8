import SlashingCore

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of part files and checkpoints; checked
/// against the standard check value CRC-32("123456789") = 0xCBF43926. Slicing-by-8 (eight tables, eight bytes
/// a step) for long inputs: a gigabyte checkpoint is summed in well under a second.
public enum CRC32 {
    static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            tables[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { tables[k][i] = (tables[k - 1][i] >> 8) ^ tables[0][Int(tables[k - 1][i] & 0xFF)] }
        }
        return tables
    }()

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var running = Running()
        let done: Void? = bytes.withContiguousStorageIfAvailable { running.update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { running.update($0) } }
        return running.value
    }

    /// A checksum computed piece by piece.
    public struct Running: Sendable {
        private var c: UInt32 = 0xFFFF_FFFF

        public init() {}

        /// The checksum of the bytes so far.
        public var value: UInt32 { c ^ 0xFFFF_FFFF }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress else { return }
            let n = bytes.count
            var c = self.c
            var i = 0
            CRC32.tables.withUnsafeBufferPointer { t in
                let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7]
                while i + 8 <= n {
                    let low = base.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                    let high = base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                    c = t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)] ^ t5[Int((low >> 16) & 0xFF)] ^ t4[Int(low >> 24)]
                        ^ t3[Int(high & 0xFF)] ^ t2[Int((high >> 8) & 0xFF)] ^ t1[Int((high >> 16) & 0xFF)] ^ t0[Int(high >> 24)]
                    i += 8
                }
                while i < n {
                    c = t0[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                    i += 1
                }
            }
            self.c = c
        }
    }
}

/// FNV-1a 64-bit hash, identifying the scenario text a part was computed from.
public enum FNV1a {
    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
