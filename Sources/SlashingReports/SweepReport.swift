import Foundation
import SlashingCore

/// A parameter sweep: the same scenario at each point of a grid of one or more parameters (their cartesian
/// product, or zipped), run on common random numbers (the same seed and trials), in one table; JSON has every
/// point's full report.
public struct SweepReport: Sendable, Encodable {
    public struct Point: Sendable, Encodable {
        /// One value per parameter, in the order of `parameters`.
        public var values: [Double]
        public var report: Report
        /// The value of a one-parameter sweep.
        public var value: Double { values[0] }

        public init(values: [Double], report: Report) {
            self.values = values
            self.report = report
        }

        public init(value: Double, report: Report) { self.init(values: [value], report: report) }

        enum CodingKeys: String, CodingKey { case value, values, report }

        /// `values` always; `value` too when the sweep has one parameter (the layout of one-parameter sweeps).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if values.count == 1 { try c.encode(values[0], forKey: .value) }
            try c.encode(values, forKey: .values)
            try c.encode(report, forKey: .report)
        }
    }

    public var formatVersion = 1
    /// The swept paths, e.g. ["correlation.constant", "operators[*].fault_probability"].
    public var parameters: [String]
    /// Whether the values were zipped (`--zip`) rather than crossed.
    public var zipped: Bool
    public var points: [Point]
    /// The swept path of a one-parameter sweep (the first one otherwise).
    public var parameter: String { parameters[0] }

    public init(parameters: [String], zipped: Bool = false, points: [Point]) {
        self.parameters = parameters
        self.zipped = zipped
        self.points = points
    }

    public init(parameter: String, points: [Point]) { self.init(parameters: [parameter], points: points) }

    enum CodingKeys: String, CodingKey { case formatVersion = "format_version", parameter, parameters, zipped, points }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(formatVersion, forKey: .formatVersion)
        if parameters.count == 1 { try c.encode(parameters[0], forKey: .parameter) }
        try c.encode(parameters, forKey: .parameters)
        try c.encode(zipped, forKey: .zipped)
        try c.encode(points, forKey: .points)
    }

    /// Statistics a sweep can plot, at a level for VaR and ES; the token and portfolio ones name their entity.
    public enum Statistic: Sendable, Equatable {
        case mean, probabilityOfLoss, valueAtRisk, expectedShortfall
        /// A portfolio's probability of liquidation.
        case probabilityOfLiquidation(portfolio: String)
        /// A token's expected shortfall as a share of its NAV.
        case tokenExpectedShortfall(token: String)
        /// A portfolio's expected shortfall of principal (ETH).
        case portfolioExpectedShortfall(portfolio: String)

        public func value(_ report: Report, level: Int) -> Double {
            switch self {
            case .mean: return report.total.mean
            case .probabilityOfLoss: return report.total.probabilityOfLoss
            case .valueAtRisk: return report.total.quantiles[level].loss
            case .expectedShortfall: return report.total.expectedShortfall[level].loss
            case .probabilityOfLiquidation(let id): return report.portfolios.first { $0.id == id }?.probabilityOfLiquidation ?? .nan
            case .tokenExpectedShortfall(let id): return report.tokens.first { $0.id == id }?.navLossFraction.expectedShortfall[level].loss ?? .nan
            case .portfolioExpectedShortfall(let id): return report.portfolios.first { $0.id == id }?.loss.expectedShortfall[level].loss ?? .nan
            }
        }

        public func label(_ report: Report, level: Int) -> String {
            let es = TextFormat.level(report.total.expectedShortfall[level].level)
            switch self {
            case .mean: return "expected loss (ETH)"
            case .probabilityOfLoss: return "probability of loss"
            case .valueAtRisk: return "VaR \(TextFormat.level(report.total.quantiles[level].level)) (ETH)"
            case .expectedShortfall: return "ES \(es) (ETH)"
            case .probabilityOfLiquidation(let id): return "P(liquidation) of \(id)"
            case .tokenExpectedShortfall(let id): return "ES \(es) of \(id) (share of NAV)"
            case .portfolioExpectedShortfall(let id): return "ES \(es) of \(id) (ETH)"
            }
        }
    }

    public func json() -> String { ReportJSON.text(self) }

    /// Every point's CSV rows with the parameter value as a first column.
    public func csv() -> String {
        var out = [parameters.map(CSVField.escape).joined(separator: ",") + ",scope,id,statistic,level,value,standard_error,ci95_lower,ci95_upper"]
        for point in points {
            let prefix = point.values.map(CSVField.number).joined(separator: ",")
            for line in point.report.csv().split(separator: "\n").dropFirst() { out.append(prefix + "," + line) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    public func text() -> String {
        guard let first = points.first?.report, let h = first.headlineLevelIndex else { return "" }
        let last = first.total.quantiles.count - 1
        let levels = h == last ? [h] : [h, last]
        var out: [String] = []
        let swept = parameters.joined(separator: zipped ? " with " : " × ")
        out.append("slashsim — sweep of \(swept) for \(first.scenario) (\(first.scenarioFile))")
        out.append("\(TextFormat.count(first.trials)) trials · seed \(first.seed) · common random numbers: every point draws the same random streams")
        out.append("")
        let width = parameters.count == 1 ? 28 : max(12, parameters.map(\.count).max()! + 2)
        var header = parameters.map { pad("  " + $0, width) } + [lpad("expected loss", 15), lpad("± s.e.", 10), lpad("P(loss)", 10)]
        for j in levels {
            let l = TextFormat.level(first.total.quantiles[j].level)
            header += [lpad("VaR " + l, 15), lpad("ES " + l, 15)]
        }
        for token in first.tokens { header.append(lpad(token.id + " ES", 14)) }
        let levered = first.portfolios.enumerated().filter { $0.element.liquidationLTV != nil }.map(\.offset)
        for p in levered { header.append(lpad("P(liq) " + first.portfolios[p].id, 16)) }
        for portfolio in first.portfolios { header.append(lpad(portfolio.id + " ES", 14)) }
        out.append(header.joined())
        for point in points {
            let t = point.report.total
            var line = point.values.map { pad("  " + CSVField.number($0), width) }
                + [lpad(TextFormat.eth(t.mean), 15), lpad(TextFormat.eth(t.meanStandardError), 10), lpad(TextFormat.percent(t.probabilityOfLoss), 10)]
            for j in levels { line += [lpad(TextFormat.eth(t.quantiles[j].loss), 15), lpad(TextFormat.eth(t.expectedShortfall[j].loss), 15)] }
            for token in point.report.tokens { line.append(lpad(TextFormat.percent(token.navLossFraction.expectedShortfall[h].loss), 14)) }
            for p in levered { line.append(lpad(TextFormat.percent(point.report.portfolios[p].probabilityOfLiquidation), 16)) }
            for portfolio in point.report.portfolios { line.append(lpad(TextFormat.eth(portfolio.loss.expectedShortfall[h].loss), 14)) }
            out.append(line.joined())
        }
        if !first.tokens.isEmpty { out.append("  (token ES at \(TextFormat.level(first.total.quantiles[h].level)), as a share of NAV)") }
        if !first.portfolios.isEmpty { out.append("  (portfolio ES at \(TextFormat.level(first.total.quantiles[h].level)), principal loss in ETH)") }
        return out.joined(separator: "\n") + "\n"
    }

    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    private func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}

extension SVGPlot {
    /// A line chart of one statistic across a sweep's grid (linear axes), points marked.
    public static func sweep(title: String, subtitle: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double)]) -> String {
        let width = 800.0, height = 480.0, left = 100.0, top = 60.0, w = width - 150, h = height - 140
        let xs = points.map(\.x), ys = points.map(\.y)
        let x0 = xs.min() ?? 0, x1 = max((xs.max() ?? 1), x0 + 1e-12)
        let y1 = max(ys.max() ?? 1, 1e-12), y0 = min(0, ys.min() ?? 0)
        func px(_ x: Double) -> Double { left + w * (x - x0) / (x1 - x0) }
        func py(_ y: Double) -> Double { top + h * (1 - (y - y0) / (y1 - y0)) }
        var svg = [##"<?xml version="1.0" encoding="UTF-8"?>"##,
                   ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##,
                   ##"<rect width="100%" height="100%" fill="white"/>"##,
                   ##"<text x="\##(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\##(escape(title.count > 90 ? String(title.prefix(89)) + "…" : title))</text>"##,
                   ##"<text x="\##(Int(width / 2))" y="40" text-anchor="middle" fill="#444">\##(escape(subtitle))</text>"##,
                   ##"<rect x="\##(number(left))" y="\##(number(top))" width="\##(number(w))" height="\##(number(h))" fill="none" stroke="#444"/>"##]
        for y in niceTicks(upTo: y1, from: y0) {
            let yy = py(y)
            svg.append(##"<line x1="\##(number(left))" y1="\##(number(yy))" x2="\##(number(left + w))" y2="\##(number(yy))" stroke="#ddd"/>"##)
            svg.append(##"<text x="\##(number(left - 6))" y="\##(number(yy + 4))" text-anchor="end">\##(escape(tickLabel(y)))</text>"##)
        }
        for x in xs {
            svg.append(##"<text x="\##(number(px(x)))" y="\##(number(top + h + 18))" text-anchor="middle">\##(escape(String(format: "%.4g", x)))</text>"##)
        }
        svg.append(##"<text x="\##(number(left + w / 2))" y="\##(number(top + h + 40))" text-anchor="middle">\##(escape(xLabel))</text>"##)
        svg.append(##"<text x="\##(number(left - 80))" y="\##(number(top + h / 2))" text-anchor="middle" transform="rotate(-90 \##(number(left - 80)) \##(number(top + h / 2)))">\##(escape(yLabel))</text>"##)
        let line = points.map { "\(number(px($0.x))),\(number(py($0.y)))" }.joined(separator: " ")
        svg.append(##"<polyline fill="none" stroke="\##(palette[0])" stroke-width="2" points="\##(line)"/>"##)
        for p in points {
            svg.append(##"<circle cx="\##(number(px(p.x)))" cy="\##(number(py(p.y)))" r="3.5" fill="\##(palette[0])"><title>\##(escape(String(format: "%.6g → %.6g", p.x, p.y)))</title></circle>"##)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}
