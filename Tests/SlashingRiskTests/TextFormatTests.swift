import Foundation
import SlashingReports
import Testing

/// The report's ETH figures are the correctly rounded decimals of the exact binary values (what a JSON reader
/// prints with two decimals), with thousands separators.
@Suite struct TextFormatTests {
    @Test(arguments: [
        (29281.695, "29,281.69"),      // stored as 29281.69499…: x·100 rounded gave "29,281.70"
        (0.125, "0.12"),               // an exact tie: printf's round-half-even
        (0.375, "0.38"),
        (1_234_567.891, "1,234,567.89"),
        (-1234.5, "-1,234.50"),
        (-0.001, "0.00"),              // rounds to zero: no sign
        (0, "0.00"),
        (999.995, "1,000.00"),         // 999.99500000000000454…: the carry reaches the thousands
        (999_999.999, "1,000,000.00"),
    ])
    func ethIsCorrectlyRounded(value: Double, expected: String) {
        #expect(TextFormat.eth(value) == expected)
    }

    /// Against an independent formatting of the same values: Foundation's %.2f with grouping by hand.
    @Test func ethAgreesWithPrintfOnManyValues() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Double(state >> 11) / Double(1 << 53) * pow(10, Double(state % 9)) - 50
            let plain = String(format: "%.2f", x)
            #expect(TextFormat.eth(x).replacingOccurrences(of: ",", with: "") == (plain == "-0.00" ? "0.00" : plain), "\(x)")
        }
    }
}
