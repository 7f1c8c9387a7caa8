/// Numbers as the messages and descriptions of every module write them.
package enum NumberText {
    /// A short rendering: `0.25`, `32000`, `1e-07` (whole numbers without a decimal point).
    package static func short(_ x: Double) -> String {
        if x.rounded() == x, abs(x) < 9e18 { return String(Int64(x)) }
        return "\(x)"
    }
}
