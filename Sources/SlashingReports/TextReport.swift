import Foundation
import SlashingCore

extension Report {
    /// Most operators listed in the text report (largest expected loss first); JSON and CSV list all.
    public static let textOperatorLimit = 10

    /// The report as an aligned, human-readable table.
    public func text() -> String {
        var out: [String] = []
        let rate = elapsedSeconds > 0 ? Double(trials) / elapsedSeconds : 0
        out.append("slashsim — \(scenario) (\(scenarioFile))")
        if partial {
            out.append("PARTIAL RESULT: the run was stopped early; the statistics below cover the first "
                + "\(TextFormat.count(trials)) of \(TextFormat.count(trialsRequested)) requested trials")
        }
        out.append("\(TextFormat.count(trials)) trials · seed \(seed) · \(threads) thread\(threads == 1 ? "" : "s") · "
            + "\(TextFormat.fixed(elapsedSeconds, 2)) s · \(TextFormat.rate(rate)) trials/s · "
            + "\(TextFormat.rate(rate * Double(operators.count))) operator-trials/s")
        out.append("Dependence: \(correlation); average pairwise latent correlation \(String(format: "%.4g", averageCorrelation))")
        out.append("BLAS: \(blas) · kernels: \(KernelLevel(name: kernelLevel)?.description ?? kernelLevel) · CPU: \(cpu)")
        out.append("slashsim \(slashsimVersion)" + (scenarioSHA256.map { " · scenario SHA-256 \($0)" } ?? ""))
        for table in tableFiles { out.append("table \(table.key) = \(table.file) · SHA-256 \(table.sha256)") }
        if let target = precisionTarget {
            let p = String(format: "%g", target.relative * 100) + " %"
            out.append(target.met
                ? "Precision target \(p): met at \(TextFormat.count(target.trials)) trials (every VaR's 95 % interval half-width and ES standard error within \(p) of its estimate; checked at \(target.checks.map { TextFormat.count($0) }.joined(separator: ", ")))"
                : "Precision target \(p): NOT met at the cap of \(TextFormat.count(target.trials)) trials (raise --trials, or ask for a looser precision or lower levels)")
        }
        if let checks = singlePrecision {
            out.append("Single-precision multiply: \(TextFormat.count(checks.recomputed)) of \(TextFormat.count(checks.latents)) latents were near "
                + "their threshold and recomputed in double (\(TextFormat.count(checks.corrected)) of them would have been decided wrongly in float); "
                + "the decisions are the double path's")
        }
        if let importance = importanceSampling {
            let shift = zip(importance.factors, importance.shift).map { "\($0) \(String(format: "%+.3f", $1))" }.joined(separator: ", ")
            out.append("Importance sampling: factors drawn shifted by μ = (\(shift)), aimed at VaR \(TextFormat.level(importance.targetLevel)) ≈ "
                + "\(TextFormat.eth(importance.targetLoss)) ETH (pilot of \(TextFormat.count(importance.pilotTrials)) trials, \(TextFormat.fixed(importance.pilotSeconds, 2)) s); every statistic below is "
                + "weighted by the likelihood ratio; \(TextFormat.count(importance.tailTrials)) trials fell beyond VaR "
                + "\(TextFormat.level(importance.targetLevel)) (plain sampling: about \(TextFormat.count(Int((Double(trials) * (1 - importance.targetLevel)).rounded()))))")
        }
        for warning in warnings { out.append("Warning: \(warning)") }
        out.append("Total stake: \(TextFormat.eth(totalStake)) ETH across \(operators.count) operator\(operators.count == 1 ? "" : "s")")
        out.append("")
        out.append("Total principal loss (ETH)")
        let share = totalStake > 0 ? "  (\(TextFormat.percent(total.mean / totalStake)) of stake)" : ""
        out.append(row("  Expected loss", TextFormat.eth(total.mean) + share, "± \(TextFormat.eth(total.meanStandardError)) (s.e.)"))
        out.append(row("  Standard deviation", TextFormat.eth(total.standardDeviation), ""))
        out.append(row("  Probability of loss", TextFormat.percent(total.probabilityOfLoss),
                       "± \(TextFormat.percent(total.probabilityOfLossStandardError)) (s.e.)"))
        out.append(row("  Largest simulated loss", TextFormat.eth(total.maximum), ""))
        out.append("")
        let header = [pad("  Level", 10), lpad("VaR", 16), "   " + pad("95 % interval of VaR", 34), lpad("ES", 16), lpad("± s.e.", 14)]
        out.append(header.joined())
        for (q, es) in zip(total.quantiles, total.expectedShortfall) {
            let upper = q.ci95[1].map(TextFormat.eth) ?? "more trials needed"
            let interval = "[\(TextFormat.eth(q.ci95[0] ?? 0)), \(upper)]"
            out.append([pad("  " + TextFormat.level(q.level), 10), lpad(TextFormat.eth(q.loss), 16), "   " + pad(interval, 34),
                        lpad(TextFormat.eth(es.loss), 16), lpad(TextFormat.eth(es.standardError), 14)].joined())
        }
        out.append(contentsOf: restakingSections())
        out.append("")
        let shown = operators.enumerated().sorted { a, b in
            a.element.expectedLoss != b.element.expectedLoss ? a.element.expectedLoss > b.element.expectedLoss : a.offset < b.offset
        }.prefix(Self.textOperatorLimit).map(\.element)
        let title = operators.count > shown.count ? "Operators (top \(shown.count) of \(operators.count) by expected loss)" : "Operators"
        out.append(title)
        out.append([pad("  id", 24), lpad("stake", 14), lpad("if slashed", 14), lpad("P(fault)", 11), lpad("P(slash)", 11),
                    lpad("± s.e.", 10), lpad("expected loss", 15), lpad("± s.e.", 12)].joined())
        for op in shown {
            out.append([pad("  " + op.id, 24), lpad(TextFormat.eth(op.stake), 14), lpad(TextFormat.eth(op.lossIfSlashed), 14),
                        lpad(TextFormat.percent(op.faultProbability), 11), lpad(TextFormat.percent(op.probabilityOfSlash), 11),
                        lpad(TextFormat.percent(op.probabilityOfSlashStandardError), 10), lpad(TextFormat.eth(op.expectedLoss), 15),
                        lpad(TextFormat.eth(op.expectedLossStandardError), 12)].joined())
        }
        if operators.count > shown.count {
            out.append("  … \(operators.count - shown.count) more in --format json or csv")
        }
        return out.joined(separator: "\n") + "\n"
    }

    func row(_ label: String, _ value: String, _ note: String) -> String {
        pad(label, 26) + pad(value, 30) + note
    }
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}

/// Number formats of the text report (and the command line's progress line).
public enum TextFormat {
    /// ETH with thousands separators and two decimals: 12,345.67. The decimals are the correctly rounded ones of
    /// the exact binary value (printf's), as JSON readers print them: 29281.695 is stored as 29281.69499…, so
    /// "29,281.69" (rounding x·100 would give .70). A value that rounds to zero prints without a sign.
    public static func eth(_ x: Double) -> String {
        if abs(x) >= 1e15 { return String(format: "%.6g", x) }
        var digits = String(format: "%.2f", x)
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        let dot = digits.firstIndex(of: ".")!
        let whole = count(Int(digits[..<dot])!)
        let sign = negative && digits != "0.00" ? "-" : ""
        return sign + whole + digits[dot...]
    }

    public static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    public static func percent(_ p: Double) -> String {
        let x = p * 100
        if x == 0 { return "0 %" }
        if x >= 0.001 { return String(format: "%.3f %%", x) }
        return String(format: "%.1e %%", x)
    }

    public static func level(_ q: Double) -> String {
        var s = String(format: "%.6f", q * 100)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + " %"
    }

    public static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    public static func rate(_ x: Double) -> String {
        if x >= 1e9 { return String(format: "%.2f G", x / 1e9) }
        if x >= 1e6 { return String(format: "%.2f M", x / 1e6) }
        if x >= 1e3 { return String(format: "%.1f k", x / 1e3) }
        return String(format: "%.0f", x)
    }
}
