import Foundation
import SlashingCore

/// A small, dependency-free SVG writer for `--plot`: the exceedance curves P(L ≥ x) on a log scale with the
/// VaR and ES markers of the first curve, one curve per scenario (base and stresses), and a bar chart of the
/// top tail contributors (ES contributions at the headline level, 99 % or the nearest below).
public enum SVGPlot {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Escapes text for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ x: Double) -> String { String(format: "%.2f", x) }

    /// The whole figure. `curves[0]` is the base; its report gives the markers and the contributors.
    public static func render(title: String, subtitle: String, curves: [(name: String, curve: ExceedanceCurve, report: Report)]) -> String {
        let width = 960.0
        let base = curves[0].report
        let contributors = base.contributionsComputed ? topContributors(base) : []
        let chartHeight = 440.0, barsHeight = contributors.isEmpty ? 0 : 60 + 22 * Double(contributors.count)
        let height = chartHeight + barsHeight + 20
        var svg: [String] = []
        svg.append(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        svg.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##)
        svg.append(##"<rect width="100%" height="100%" fill="white"/>"##)
        let shown = title.count > 110 ? String(title.prefix(109)) + "…" : title
        svg.append(##"<text x="\##(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\##(escape(shown))</text>"##)
        svg.append(##"<text x="\##(Int(width / 2))" y="40" text-anchor="middle" fill="#444">\##(escape(subtitle))</text>"##)
        svg += exceedanceChart(curves: curves.map { ($0.name, $0.curve) }, trials: curves.map(\.report.trials).max() ?? 1,
                               markers: base.total, xLabel: "total principal loss x (ETH)", left: 80, top: 56, width: width - 120,
                               height: chartHeight - 116)
        if !contributors.isEmpty {
            svg += bars(contributors, base: base, left: 220, top: chartHeight + 10, width: width - 300)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// One exceedance figure without the contributors: `curves[0]` is the base, `markers` its statistics (VaR and
    /// ES marked at the round levels), `trials` the largest run's trials (the y axis reaches 1/trials).
    public static func exceedanceFigure(title: String, subtitle: String, xLabel: String, curves: [(name: String, curve: ExceedanceCurve)],
                                        markers: Report.Total, trials: Int) -> String {
        let width = 960.0, height = 440.0
        var svg: [String] = []
        svg.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##)
        svg.append(##"<rect width="100%" height="100%" fill="white"/>"##)
        let shown = title.count > 110 ? String(title.prefix(109)) + "…" : title
        svg.append(##"<text x="\##(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\##(escape(shown))</text>"##)
        svg.append(##"<text x="\##(Int(width / 2))" y="40" text-anchor="middle" fill="#444">\##(escape(subtitle))</text>"##)
        svg += exceedanceChart(curves: curves, trials: trials, markers: markers, xLabel: xLabel, left: 80, top: 56, width: width - 120,
                               height: height - 116)
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func exceedanceChart(curves: [(name: String, curve: ExceedanceCurve)], trials: Int, markers: Report.Total, xLabel: String,
                                        left: Double, top: Double, width: Double, height: Double) -> [String] {
        var out: [String] = []
        // y axis from 10^-lowest to 1: down to 1/trials, or to the smallest probability on a curve (importance
        // sampling estimates probabilities far below 1/trials).
        let trials = Double(max(1, trials))
        let smallest = curves.flatMap { $0.curve.points.flatMap { [$0.atLeast, $0.exceedance ?? 0] } }.filter { $0 > 0 }.min() ?? 1
        let lowest = min(16, max(1, ceil(-log10(min(smallest, 1 / trials)) - 1e-9)))
        let maxLoss = max(1e-9, curves.flatMap { $0.curve.points.map(\.loss) }.max() ?? 1)
        func x(_ loss: Double) -> Double { left + width * loss / maxLoss }
        func y(_ p: Double) -> Double { top + height * (-log10(max(p, pow(10, -lowest))) / lowest) }
        out.append(##"<rect x="\##(number(left))" y="\##(number(top))" width="\##(number(width))" height="\##(number(height))" fill="none" stroke="#444"/>"##)
        for k in 0...Int(lowest) {
            let p = pow(10, -Double(k)), yy = y(p)
            out.append(##"<line x1="\##(number(left))" y1="\##(number(yy))" x2="\##(number(left + width))" y2="\##(number(yy))" stroke="#ddd"/>"##)
            out.append(##"<text x="\##(number(left - 6))" y="\##(number(yy + 4))" text-anchor="end">1e-\##(k)</text>"##)
        }
        for loss in niceTicks(upTo: maxLoss) {
            let xx = x(loss)
            out.append(##"<line x1="\##(number(xx))" y1="\##(number(top + height))" x2="\##(number(xx))" y2="\##(number(top + height + 5))" stroke="#444"/>"##)
            out.append(##"<text x="\##(number(xx))" y="\##(number(top + height + 18))" text-anchor="middle">\##(escape(tickLabel(loss)))</text>"##)
        }
        out.append(##"<text x="\##(number(left + width / 2))" y="\##(number(top + height + 38))" text-anchor="middle">\##(escape(xLabel))</text>"##)
        out.append(##"<text x="\##(number(left - 55))" y="\##(number(top + height / 2))" text-anchor="middle" transform="rotate(-90 \##(number(left - 55)) \##(number(top + height / 2)))">P(L ≥ x), log scale</text>"##)
        for (c, entry) in curves.enumerated() {
            let color = palette[c % palette.count]
            // A step curve through the points, ascending in loss.
            var path: [String] = []
            for point in entry.curve.points.sorted(by: { $0.loss < $1.loss }) where point.atLeast > 0 {
                path.append("\(number(x(point.loss))),\(number(y(point.atLeast)))")
            }
            if !path.isEmpty {
                out.append(##"<polyline fill="none" stroke="\##(color)" stroke-width="1.8" points="\##(path.joined(separator: " "))"><title>\##(escape(entry.name))</title></polyline>"##)
            }
            out.append(##"<line x1="\##(number(left + width - 230))" y1="\##(number(top + 18 + 18 * Double(c)))" x2="\##(number(left + width - 205))" y2="\##(number(top + 18 + 18 * Double(c)))" stroke="\##(color)" stroke-width="3"/>"##)
            out.append(##"<text x="\##(number(left + width - 198))" y="\##(number(top + 22 + 18 * Double(c)))">\##(escape(entry.name))</text>"##)
        }
        // VaR (dashed) and ES (dotted) markers of the base at the round levels 90, 99, 99.9 and 99.99 %.
        let marked: [Double] = [0.9, 0.99, 0.999, 0.9999]
        for (q, es) in zip(markers.quantiles, markers.expectedShortfall) where marked.contains(where: { abs($0 - q.level) < 1e-12 }) {
            let label = TextFormat.level(q.level)
            for (value, dash, name, drop) in [(q.loss, "6,4", "VaR", 0.0), (es.loss, "2,3", "ES", 13.0)] where value > 0 {
                let xx = x(value)
                out.append(##"<line x1="\##(number(xx))" y1="\##(number(top))" x2="\##(number(xx))" y2="\##(number(top + height))" stroke="#555" stroke-dasharray="\##(dash)"><title>\##(name) \##(escape(label)): \##(escape(TextFormat.eth(value))) ETH</title></line>"##)
                out.append(##"<text x="\##(number(xx + 3))" y="\##(number(y(1 - q.level) - 4 + drop))" font-size="10" fill="#333">\##(name) \##(escape(label))</text>"##)
            }
        }
        return out
    }

    /// Round tick values from 0 (or `minimum`) up to `maximum`: multiples of the first of 1, 2, 5 or 10 × 10^k at
    /// least a fifth of the span, so three to six of them.
    public static func niceTicks(upTo maximum: Double, from minimum: Double = 0) -> [Double] {
        let span = maximum - minimum
        guard span > 0, span.isFinite else { return [minimum] }
        let rough = span / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = (minimum / step).rounded(.up)
        return stride(from: first, through: (maximum / step + 1e-9).rounded(.down), by: 1).map { ($0 * step * 1e12).rounded() / 1e12 }
    }

    /// A tick's label: thousands separated for whole numbers, otherwise the shortest round form.
    public static func tickLabel(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return TextFormat.count(Int(value)) }
        return String(format: "%.6g", value)
    }

    /// The top 10 operators and top 5 services by ES contribution at the headline level.
    static func topContributors(_ report: Report) -> [(label: String, value: Double)] {
        guard let h = report.headlineLevelIndex else { return [] }
        let operators = report.operators.map { ("operator " + $0.id, $0.expectedShortfallContributions[h].loss) }
            .sorted { $0.1 > $1.1 }.prefix(10)
        let services = report.services.map { ("AVS " + $0.id, $0.expectedShortfallContributions[h].loss) }
            .sorted { $0.1 > $1.1 }.prefix(5)
        return (Array(operators) + Array(services)).filter { $0.1 > 0 }.map { (label: $0.0, value: $0.1) }
    }

    private static func bars(_ entries: [(label: String, value: Double)], base: Report, left: Double, top: Double, width: Double) -> [String] {
        guard let h = base.headlineLevelIndex else { return [] }
        var out: [String] = []
        let es = base.total.expectedShortfall[h].loss
        out.append(##"<text x="\##(number(left))" y="\##(number(top + 14))" font-size="14">Top tail contributors: share of ES \##(escape(TextFormat.level(base.total.expectedShortfall[h].level))) = \##(escape(TextFormat.eth(es))) ETH</text>"##)
        let largest = entries.map(\.value).max() ?? 1
        for (i, e) in entries.enumerated() {
            let yy = top + 30 + 22 * Double(i)
            let w = (width - 160) * e.value / largest
            let color = e.label.hasPrefix("AVS") ? palette[3] : palette[0]
            out.append(##"<text x="\##(number(left - 8))" y="\##(number(yy + 13))" text-anchor="end">\##(escape(e.label))</text>"##)
            out.append(##"<rect x="\##(number(left))" y="\##(number(yy))" width="\##(number(w))" height="16" fill="\##(color)"><title>\##(escape(TextFormat.eth(e.value))) ETH</title></rect>"##)
            let share = es > 0 ? " (" + TextFormat.percent(e.value / es) + ")" : ""
            out.append(##"<text x="\##(number(left + w + 6))" y="\##(number(yy + 13))">\##(escape(TextFormat.eth(e.value) + share))</text>"##)
        }
        return out
    }
}
