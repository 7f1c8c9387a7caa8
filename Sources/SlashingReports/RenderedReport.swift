import SlashingCore

/// A report that renders in every format the command-line tool writes: `Report`, `StressComparison`,
/// `SweepReport`.
public protocol RenderedReport {
    func text() -> String
    func json() -> String
    func csv() -> String
}

extension Report: RenderedReport {}
extension StressComparison: RenderedReport {}
extension SweepReport: RenderedReport {}

extension ExceedanceCurve {
    /// The exported curves of one run: its total, then each token and each portfolio, labelled `scenario`.
    public static func curves(of result: SimulationResult, report: Report, scenario: String)
        -> [(scenario: String, scope: String, id: String, curve: ExceedanceCurve)]
    {
        var curves: [(scenario: String, scope: String, id: String, curve: ExceedanceCurve)] = [(scenario, "total", "total", of(result.distribution))]
        for (token, d) in zip(report.tokens, result.tokenDistributions) { curves.append((scenario, "token", token.id, of(d))) }
        for (p, d) in zip(report.portfolios, result.portfolioDistributions) { curves.append((scenario, "portfolio", p.id, of(d))) }
        return curves
    }
}

extension SVGPlot {
    /// The file text of a plot: the SVG itself, or (for a `.html` file) a page with the SVG inline, without its
    /// XML declaration.
    public static func file(_ svg: String, html: Bool) -> String {
        guard html else { return svg }
        let inline = svg.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? svg
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>slashsim</title></head><body>\n" + inline + "</body></html>\n"
    }
}
