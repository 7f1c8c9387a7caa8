import Foundation
import SlashingCore

/// A base run and its stresses, all with the same seed and trials (common random numbers): one table per
/// kind of result, a row per scenario, and the difference from the base under each stress.
public struct StressComparison: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var name: String
        public var file: String
        /// SHA-256 of the stress file as read.
        public var sha256: String?
        public var report: Report
        /// The stress's label everywhere (text rows, CSV's `scenario` column, JSON's `label`, the distribution
        /// file's `scenario`): the stress file's name without folder and extension. `name` is its description.
        public var label: String { Self.label(ofFile: file) }

        public static func label(ofFile file: String) -> String {
            URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        }

        enum CodingKeys: String, CodingKey { case label, name, file, sha256, report }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try c.encode(name, forKey: .name)
            try c.encode(file, forKey: .file)
            try c.encodeIfPresent(sha256, forKey: .sha256)
            try c.encode(report, forKey: .report)
        }

        public init(name: String, file: String, report: Report) {
            self.name = name
            self.file = file
            self.report = report
        }
    }

    public var formatVersion = 1
    public var base: Report
    public var stresses: [Entry]

    public init(base: Report, stresses: [Entry]) {
        self.base = base
        self.stresses = stresses
    }

    enum CodingKeys: String, CodingKey { case formatVersion = "format_version", base, stresses }

    public func json() -> String { ReportJSON.text(self) }

    /// Every report's CSV rows, with the scenario's name as a first column (`base` for the base).
    public func csv() -> String {
        var out = ["scenario," + "scope,id,statistic,level,value,standard_error,ci95_lower,ci95_upper"]
        for (name, report) in [("base", base)] + stresses.map({ ($0.label, $0.report) }) {
            for line in report.csv().split(separator: "\n").dropFirst() { out.append(CSVField.escape(name) + "," + line) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Levels shown: 99 % (or the nearest below) and the highest level.
    private var shownLevels: [Int] {
        guard let h = base.headlineLevelIndex else { return [] }
        let last = base.total.quantiles.count - 1
        return h == last ? [h] : [h, last]
    }

    public func text() -> String {
        var out: [String] = []
        out.append("slashsim — stress comparison for \(base.scenario) (\(base.scenarioFile))")
        if base.importanceSampling != nil {
            out.append("\(TextFormat.count(base.trials)) trials · seed \(base.seed) · importance sampling: each scenario has its own shift and twist "
                + "(same random streams, different laws), so differences carry Monte Carlo error: compare them with each scenario's standard errors (--format json)")
        } else {
            out.append("\(TextFormat.count(base.trials)) trials · seed \(base.seed) · common random numbers: every scenario draws the same random streams, "
                + "so differences are the stress, not Monte Carlo noise")
        }
        for entry in stresses {
            out.append("Stress \(entry.label): \"\(entry.name)\" (\(entry.file)" + (entry.sha256.map { ", SHA-256 \($0.prefix(16))…" } ?? "") + ")")
        }
        let rows = [("base", base)] + stresses.map { ($0.label, $0.report) }
        let levels = shownLevels
        out.append("")
        out.append("Total principal loss (ETH)")
        var header = [pad("  scenario", 26), lpad("expected loss", 15), lpad("P(loss)", 10)]
        for j in levels {
            let l = TextFormat.level(base.total.quantiles[j].level)
            header += [lpad("VaR " + l, 15), lpad("ES " + l, 15)]
        }
        out.append(header.joined())
        for (index, (name, report)) in rows.enumerated() {
            var line = [pad("  " + name, 26), lpad(TextFormat.eth(report.total.mean), 15), lpad(TextFormat.percent(report.total.probabilityOfLoss), 10)]
            for j in levels { line += [lpad(TextFormat.eth(report.total.quantiles[j].loss), 15), lpad(TextFormat.eth(report.total.expectedShortfall[j].loss), 15)] }
            out.append(line.joined())
            guard index > 0 else { continue }
            var delta = [pad("    Δ vs base", 26), lpad(signed(report.total.mean - base.total.mean, TextFormat.eth), 15),
                         lpad(signed(report.total.probabilityOfLoss - base.total.probabilityOfLoss, TextFormat.percent), 10)]
            for j in levels {
                delta += [lpad(signed(report.total.quantiles[j].loss - base.total.quantiles[j].loss, TextFormat.eth), 15),
                          lpad(signed(report.total.expectedShortfall[j].loss - base.total.expectedShortfall[j].loss, TextFormat.eth), 15)]
            }
            out.append(delta.joined())
        }
        if let h = levels.first, !base.tokens.isEmpty {
            let l = TextFormat.level(base.total.quantiles[h].level)
            out.append("")
            out.append("Tokens: loss as a share of NAV")
            out.append([pad("  token / scenario", 30), lpad("expected", 11), lpad("Δ", 11), lpad("VaR " + l, 13), lpad("Δ", 11),
                        lpad("ES " + l, 13), lpad("Δ", 11)].joined())
            for (t, token) in base.tokens.enumerated() {
                out.append("  " + token.id)
                for (index, (name, report)) in rows.enumerated() {
                    let x = report.tokens[t].navLossFraction, b = token.navLossFraction
                    let isBase = index == 0
                    out.append([pad("    " + name, 30), lpad(TextFormat.percent(x.mean), 11), lpad(isBase ? "" : signed(x.mean - b.mean, TextFormat.percent), 11),
                                lpad(TextFormat.percent(x.quantiles[h].loss), 13), lpad(isBase ? "" : signed(x.quantiles[h].loss - b.quantiles[h].loss, TextFormat.percent), 11),
                                lpad(TextFormat.percent(x.expectedShortfall[h].loss), 13),
                                lpad(isBase ? "" : signed(x.expectedShortfall[h].loss - b.expectedShortfall[h].loss, TextFormat.percent), 11)].joined())
                }
            }
        }
        if let h = levels.first, !base.portfolios.isEmpty {
            let l = TextFormat.level(base.total.quantiles[h].level)
            out.append("")
            out.append("Portfolios: probability of liquidation and principal loss (ETH)")
            out.append([pad("  portfolio / scenario", 30), lpad("P(liquidation)", 16), lpad("Δ", 11), lpad("expected loss", 15), lpad("Δ", 12),
                        lpad("ES " + l, 13), lpad("Δ", 12)].joined())
            for (p, portfolio) in base.portfolios.enumerated() {
                out.append("  " + portfolio.id)
                for (index, (name, report)) in rows.enumerated() {
                    let x = report.portfolios[p], b = portfolio
                    let isBase = index == 0
                    let levered = x.liquidationLTV != nil
                    out.append([pad("    " + name, 30), lpad(levered ? TextFormat.percent(x.probabilityOfLiquidation) : "—", 16),
                                lpad(isBase || !levered ? "" : signed(x.probabilityOfLiquidation - b.probabilityOfLiquidation, TextFormat.percent), 11),
                                lpad(TextFormat.eth(x.loss.mean), 15), lpad(isBase ? "" : signed(x.loss.mean - b.loss.mean, TextFormat.eth), 12),
                                lpad(TextFormat.eth(x.loss.expectedShortfall[h].loss), 13),
                                lpad(isBase ? "" : signed(x.loss.expectedShortfall[h].loss - b.loss.expectedShortfall[h].loss, TextFormat.eth), 12)].joined())
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func signed(_ x: Double, _ format: (Double) -> String) -> String {
        x > 0 ? "+" + format(x) : (x < 0 ? "−" + format(-x) : "0")
    }
    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    private func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}
