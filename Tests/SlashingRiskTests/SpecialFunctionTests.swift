import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import TestSupport
import Testing

/// The Student t and chi-square functions behind the t copula, against SciPy 1.17 (`stats.t.ppf`,
/// `stats.chi2.ppf`, `special.gammainc`, `special.betainc`), which uses Boost's implementations.
@Suite struct SpecialFunctionTests {
    static let tQuantiles: [(Double, Double, Double)] = [
        (0.5, 1e-12, -1.0284911563163399e+23), (0.5, 1e-06, -102849115631.63399), (0.5, 0.001, -102849.11563017554),
        (0.5, 0.02, -257.12220570005167), (0.5, 0.3, -1.0095258786071655), (0.5, 0.99, 1028.4910104716198),
        (1, 1e-12, -318309886183.7907), (1, 0.001, -318.30883898555044), (1, 0.02, -15.894544843865305),
        (1, 0.3, -0.7265425280053609), (1, 0.99, 31.820515953773935), (1, 0.999999, 318309.88617359026),
        (2.5, 1e-12, -55306.17407651582), (2.5, 0.02, -3.95547368319002), (2.5, 0.7, 0.5973077382523173),
        (4, 1e-12, -1316.0727465592565), (4, 1e-06, -41.577854150450975), (4, 0.001, -7.1731822197823085),
        (4, 0.02, -2.9985278732065868), (4, 0.3, -0.5686490630497053), (4, 0.99, 3.746947387979196),
        (30, 1e-12, -11.397217523311413), (30, 0.02, -2.146966279089794), (30, 0.3, -0.5300190039065046),
        (30, 0.99, 2.457261542400591), (30, 0.999999, 5.871117120408624),
    ]

    @Test func studentTQuantilesMatchSciPy() {
        for (nu, p, expected) in Self.tQuantiles {
            let x = StudentTDistribution.quantile(p, degreesOfFreedom: nu)
            #expect(abs(x - expected) <= 1e-10 * abs(expected), "t quantile ν=\(nu) p=\(p): \(x) vs \(expected)")
            // And the CDF inverts it.
            let back = StudentTDistribution.cdf(expected, degreesOfFreedom: nu)
            #expect(abs(back - p) <= 1e-12 * min(p, 1 - p) + 1e-300, "t cdf ν=\(nu) at \(expected): \(back) vs \(p)")
        }
        #expect(StudentTDistribution.quantile(0.5, degreesOfFreedom: 4) == 0)
        #expect(StudentTDistribution.quantile(0, degreesOfFreedom: 4) == -.infinity)
        #expect(StudentTDistribution.quantile(1, degreesOfFreedom: 4) == .infinity)
    }

    static let chiSquareQuantiles: [(Double, Double, Double)] = [
        (0.5, 1e-12, 1.3499395786223522e-48), (0.5, 0.02, 2.1599035124030665e-07), (0.5, 0.5, 0.0873476047057468),
        (0.5, 0.98, 3.7740430388601918), (0.5, 0.9999999999990905, 48.04794152010615),
        (1, 1e-06, 1.5707963267957187e-12), (1, 0.5, 0.454936423119572), (1, 0.98, 5.411894431054342),
        (2.5, 1e-12, 5.55155789291308e-10), (2.5, 0.02, 0.09879648056266899), (2.5, 0.9999999999990905, 57.34320797764966),
        (4, 1e-12, 2.828428458080386e-06), (4, 1e-06, 0.0028297613229586872), (4, 0.02, 0.429398190015869),
        (4, 0.5, 3.3566939800333224), (4, 0.98, 11.667843403834778), (4, 0.9999999999990905, 62.39556976007281),
        (30, 1e-12, 2.1792731865592656), (30, 0.5, 29.336031516661585), (30, 0.98, 47.96180281798587),
        (200, 1e-06, 118.87264139624578), (200, 0.5, 199.33372983863097), (200, 0.9999999999990905, 374.893431823923),
    ]

    @Test func chiSquareQuantilesMatchSciPy() {
        for (nu, p, expected) in Self.chiSquareQuantiles {
            let x = ChiSquaredDistribution.quantile(p, degreesOfFreedom: nu)
            #expect(abs(x - expected) <= 1e-10 * expected, "χ² quantile ν=\(nu) p=\(p): \(x) vs \(expected)")
        }
    }

    @Test func incompleteGammaAndBetaMatchSciPy() {
        #expect(abs(IncompleteGamma.lowerRegularized(2.5, 1.0) - 0.15085496391539038) <= 1e-14)
        #expect(abs(IncompleteGamma.lowerRegularized(0.3, 5.0) - 0.9993486812492816) <= 1e-14)
        #expect(abs(IncompleteGamma.upperRegularized(30, 60.0) - 6.876264968732136e-06) <= 1e-12 * 6.876264968732136e-06)
        #expect(abs(IncompleteBeta.regularized(0.3, 2, 0.5) - 0.03784096948581308) <= 1e-15)
        #expect(abs(IncompleteBeta.regularized(0.999, 0.5, 2) - 0.9999996248749297) <= 1e-15)
    }
}

/// The vectorisable log of the normal generator's tails (fdlibm's algorithm) against the C library's.
@Suite struct FdlibmLogTests {
    /// Within 1 ulp of glibc's log (itself within about half an ulp) over every binade the tails use
    /// (2⁻⁶⁰ … 1), near powers of two and near 1, where its two formulas and the reduction change.
    @Test func withinOneUlpOfTheLibraryLog() {
        var random = SplitMix64(seed: 2026)
        var values: [Double] = []
        for _ in 0..<200_000 {
            let exponent = -60 + Int(random.next() % 60)
            let mantissa = 1 + Double(random.next() >> 11) * 0x1p-53
            values.append(Double(sign: .plus, exponent: exponent, significand: mantissa))
        }
        for e in -60...0 {
            let power = Double(sign: .plus, exponent: e, significand: 1)
            var x = power
            var y = power
            for _ in 0..<50 { x = x.nextUp; y = y.nextDown; values += [x, y] }
            values += [power * 0.7071067811865476, power * 1.4142135623730951]
        }
        var worst = 0.0
        for x in values where x < 1 {
            let exact = libmLogForTest(x)
            let error = abs(NormalDistribution.log(x) - exact) / exact.ulp
            worst = max(worst, error)
        }
        #expect(worst <= 1, "worst error \(worst) ulp")
        #expect(NormalDistribution.log(1) == 0)
        #expect(NormalDistribution.log(0.5) == -0.6931471805599453)
    }
}

private func libmLogForTest(_ x: Double) -> Double { Foundation.log(x) }
