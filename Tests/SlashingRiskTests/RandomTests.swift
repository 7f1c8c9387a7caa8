import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

@Suite struct PhiloxTests {
    /// Random123 `kat_vectors`, the three philox4x32 10-round lines: counter[4] key[2] → output[4].
    @Test(arguments: [
        ([0x0000_0000, 0x0000_0000, 0x0000_0000, 0x0000_0000], [0x0000_0000, 0x0000_0000], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
        ([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [0xffff_ffff, 0xffff_ffff], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
        ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
    ] as [([UInt32], [UInt32], [UInt32])])
    func knownAnswers(counter: [UInt32], key: [UInt32], expected: [UInt32]) {
        let out = Philox4x32.block(counter[0], counter[1], counter[2], counter[3], key: key[0], key[1])
        #expect([out.0, out.1, out.2, out.3] == expected)
    }

    @Test func streamUniformsAreInTheOpenUnitIntervalAndDependOnEveryKeyPart() {
        let s = NormalStream(seed: 42)
        let base = s.uniformPair(batch: 3, substream: 0, block: 7)
        #expect(base.0 > 0 && base.0 < 1 && base.1 > 0 && base.1 < 1)
        #expect(s.uniformPair(batch: 4, substream: 0, block: 7) != base)
        #expect(s.uniformPair(batch: 3, substream: 1, block: 7) != base)
        #expect(s.uniformPair(batch: 3, substream: 0, block: 8) != base)
        #expect(NormalStream(seed: 43).uniformPair(batch: 3, substream: 0, block: 7) != base)
        #expect(NormalStream(seed: 42 | (1 << 40)).uniformPair(batch: 3, substream: 0, block: 7) != base)
    }

    @Test func normalsHaveUnitMomentsAndTheRightTails() {
        let s = NormalStream(seed: 2024)
        let count = 1_000_000
        var buffer = [Double](repeating: 0, count: count)
        buffer.withUnsafeMutableBufferPointer { s.fill($0, batch: 0, substream: 0) }
        let mean = buffer.reduce(0, +) / Double(count)
        let variance = buffer.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        #expect(abs(mean) < 4 / Double(count).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(count)).squareRoot())
        // P(Z < −2.326) = 1 %: binomial error 0.0001.
        let below = Double(buffer.filter { $0 < -2.3263478740408408 }.count) / Double(count)
        #expect(abs(below - 0.01) < 4 * (0.01 * 0.99 / Double(count)).squareRoot())
    }
}

@Suite struct NormalDistributionTests {
    /// Φ⁻¹ of the exact binary value of each p, to 50 digits by mpmath (findroot on log ncdf), shown to 20 digits.
    @Test(arguments: [
        (5e-324, -38.467405617144346251), (1e-300, -37.047096299361199237), (1e-98, -21.056350846623419822), (1e-100, -21.273453560965324294), (1e-20, -9.2623400897984075796),
        (1e-10, -6.3613409024040561991), (1e-5, -4.2648907939228246102), (0.001, -3.0902323061678135354),
        (0.02425, -1.9729610513118848376), (0.075, -1.4395314709384559349), (0.25, -0.6744897501960817432),
        (0.5, 0.0), (0.6, 0.25334710313579974132), (0.925, 1.4395314709384562291), (0.975, 1.9599639845400538556),
        (0.999, 3.0902323061678132778), (0.99999, 4.2648907939238407699),
    ])
    func quantileMatchesHighPrecisionValues(p: Double, expected: Double) {
        let x = NormalDistribution.quantile(p)
        #expect(abs(x - expected) <= 4e-16 * max(1, abs(expected)), "Φ⁻¹(\(p)) = \(x), expected \(expected)")
    }

    @Test func quantileEdgesAndInverse() {
        #expect(NormalDistribution.quantile(0) == -.infinity)
        #expect(NormalDistribution.quantile(1) == .infinity)
        #expect(NormalDistribution.quantile(-0.1).isNaN)
        #expect(NormalDistribution.quantile(.nan).isNaN)
        for p in stride(from: 0.001, to: 1, by: 0.0137) {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-15)
        }
    }
}

@Suite(.serialized) struct NormalKernelTests {
    /// The C kernels give the Swift reference's numbers bit for bit, on every instruction set this
    /// machine has, for even, odd and tiny counts.
    @Test func everyInstructionSetGivesTheReferenceBits() {
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        for level in KernelLevel.available {
            #expect(KernelLevel.force(level) == level)
            for (seed, batch, substream, count) in [(UInt64(1), UInt64(0), UInt32(0), 1), (42, 7, 1, 2), (7, 3, 0, 3),
                                                     (2025, 12, 0, 1023), (.max, .max, 5, 4096), (9, 1 << 40, 0, 100_001)] {
                let stream = NormalStream(seed: seed)
                var fast = [Double](repeating: .nan, count: count), reference = fast
                fast.withUnsafeMutableBufferPointer { stream.fill($0, batch: batch, substream: substream) }
                reference.withUnsafeMutableBufferPointer { stream.referenceFill($0, batch: batch, substream: substream) }
                #expect(fast.elementsEqual(reference) { $0.bitPattern == $1.bitPattern },
                        "level \(level), seed \(seed), batch \(batch), count \(count)")
            }
        }
    }
}

extension NormalKernelTests {
    /// Uniform ranges starting anywhere (even or odd index) are the same values as `uniformPair`.
    @Test func uniformRangesMatchTheirPhiloxBlocks() {
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        let stream = NormalStream(seed: 77)
        for level in KernelLevel.available {
            KernelLevel.force(level)
            for (first, count) in [(0, 1), (0, 2), (1, 1), (1, 2), (3, 5), (1000, 1001), (999, 4096)] {
                var values = [Double](repeating: .nan, count: count)
                values.withUnsafeMutableBufferPointer { stream.fillUniforms($0, batch: 4, substream: 0, from: first) }
                let expected = (first..<(first + count)).map { i -> Double in
                    let pair = stream.uniformPair(batch: 4, substream: 0, block: UInt32(i / 2))
                    return i % 2 == 0 ? pair.0 : pair.1
                }
                #expect(values == expected, "level \(level), first \(first), count \(count)")
            }
        }
    }
}
