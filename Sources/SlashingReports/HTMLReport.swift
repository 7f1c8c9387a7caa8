import Foundation
import SlashingCore

/// `--report FILE.html`: one self-contained page to send (inline CSS and SVG, no script, nothing fetched): the
/// run's provenance, the total with its intervals, tokens, portfolios, the top tail contributors, exceedance
/// plots with VaR and ES marked, and the stress comparison.
public struct HTMLReport {
    /// One run on the page: the base (label "base") or a stress.
    public struct Run {
        public var label: String
        /// The stress's description (its `name`); the scenario's name for the base.
        public var name: String
        public var file: String
        public var sha256: String?
        public var report: Report
        /// The total's exceedance curve, then each token's (in the report's token order).
        public var total: ExceedanceCurve
        public var tokens: [ExceedanceCurve]

        public init(label: String, name: String, file: String, sha256: String?, report: Report, total: ExceedanceCurve,
                    tokens: [ExceedanceCurve]) {
            self.label = label
            self.name = name
            self.file = file
            self.sha256 = sha256
            self.report = report
            self.total = total
            self.tokens = tokens
        }
    }

    public var base: Run
    public var stresses: [Run]
    /// The command line that made the report, shown in its header.
    public var command: String

    public init(base: Run, stresses: [Run], command: String) {
        self.base = base
        self.stresses = stresses
        self.command = command
    }

    /// The page.
    public func html() -> String {
        let r = base.report
        var page: [String] = []
        page.append("<!DOCTYPE html>")
        // Void elements closed XML-style, so the page also parses as XML (the tests read it with XMLParser).
        page.append(#"<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>"#)
        page.append("<title>slashsim report: \(Self.escape(r.scenario))</title>")
        page.append("<style>\(Self.style)</style></head><body>")
        page.append("<header><h1>\(Self.escape(r.scenario))</h1>")
        page.append(#"<p class="lead">Principal-loss distribution from slashing, \#(Self.escape(TextFormat.count(r.trials))) Monte Carlo trials. Intervals are 95 % (VaR: order-statistic interval; mean and ES: ± 1.96 standard errors).</p>"#)
        page.append(#"<dl id="provenance">"#)
        var facts: [(String, String)] = [
            ("scenario file", r.scenarioFile), ("scenario SHA-256", r.scenarioSHA256 ?? "—"),
            ("slashsim", r.slashsimVersion), ("trials", TextFormat.count(r.trials) + (r.partial ? " (partial: stopped at the time limit)" : "")),
            ("seed", String(r.seed)), ("threads", String(r.threads)), ("CPU", r.cpu), ("kernel level", r.kernelLevel), ("BLAS", r.blas),
            ("dependence", r.correlation), ("multiply", r.precision), ("command", command),
        ]
        facts.insert(contentsOf: r.tableFiles.map { ("table \($0.key)", "\($0.file) (SHA-256 \($0.sha256))") }, at: 2)
        if let target = r.precisionTarget {
            facts.append(("precision target", "\(TextFormat.fixed(target.relative * 100, 2)) % relative, \(target.met ? "met" : "NOT met") at \(TextFormat.count(target.trials)) trials"))
        }
        if let sampling = r.importanceSampling {
            facts.append(("importance sampling", "factor shift aimed at \(TextFormat.level(sampling.targetLevel)); every statistic is a weighted estimate"))
        }
        for (key, value) in facts { page.append("<dt>\(Self.escape(key))</dt><dd>\(Self.escape(value))</dd>") }
        page.append("</dl></header><main>")
        if !r.warnings.isEmpty {
            page.append(#"<section id="warnings"><h2>Warnings</h2><ul>"# + r.warnings.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul></section>")
        }
        page += totalSection()
        page += tokenSection()
        page += portfolioSection()
        page += contributorSection()
        page += stressSection()
        page.append("</main><footer>Made by slashsim \(Self.escape(r.slashsimVersion)). The model, every formula and how to read the Monte Carlo error: docs/model.md and docs/statistics.md in the slashsim repository.</footer>")
        page.append("</body></html>")
        return page.joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    private func totalSection() -> [String] {
        let r = base.report, t = r.total
        var out = [#"<section id="total"><h2>Total principal loss</h2>"#, #"<table id="total-table"><thead><tr><th>statistic</th><th>value</th><th>95 % interval</th></tr></thead><tbody>"#]
        out.append(Self.row(["expected loss", Self.eth(t.mean), Self.interval(t.mean, t.meanStandardError)]))
        out.append(Self.row(["P(loss > 0)", TextFormat.percent(t.probabilityOfLoss),
                             "\(TextFormat.percent(max(0, t.probabilityOfLoss - 1.96 * t.probabilityOfLossStandardError))) – \(TextFormat.percent(min(1, t.probabilityOfLoss + 1.96 * t.probabilityOfLossStandardError)))"]))
        for q in t.quantiles {
            out.append(Self.row(["VaR \(TextFormat.level(q.level))", Self.eth(q.loss), Self.varInterval(q)]))
        }
        for es in t.expectedShortfall {
            out.append(Self.row(["ES \(TextFormat.level(es.level))", Self.eth(es.loss), Self.interval(es.loss, es.standardError)]))
        }
        out.append(Self.row(["standard deviation", Self.eth(t.standardDeviation), ""]))
        out.append(Self.row(["largest simulated loss", Self.eth(t.maximum), ""]))
        out.append("</tbody></table>")
        out.append(#"<p class="note">Losses in ETH of principal, out of \#(Self.escape(TextFormat.eth(r.totalStake))) ETH of stake. VaR q: the loss exceeded with probability at most 1 − q; ES q: the mean loss in that worst 1 − q.</p>"#)
        let curves = [(base.label, base.total)] + stresses.map { ($0.label, $0.total) }
        out.append(figure(id: "plot-total", svg: SVGPlot.exceedanceFigure(
            title: "Total principal loss", subtitle: subtitle, xLabel: "total principal loss x (ETH)", curves: curves, markers: t,
            trials: trials), caption: "P(L ≥ x) on a log scale; dashed: VaR, dotted: ES of the base at 90, 99, 99.9 and 99.99 %."))
        out.append("</section>")
        return out
    }

    private func tokenSection() -> [String] {
        let r = base.report
        guard !r.tokens.isEmpty, let h = r.headlineLevelIndex else { return [] }
        let level = TextFormat.level(r.total.quantiles[h].level)
        var out = [#"<section id="tokens"><h2>Liquid restaking tokens</h2>"#,
                   #"<table id="tokens-table"><thead><tr><th>token</th><th>NAV (ETH)</th><th>delegated (ETH)</th><th>expected loss (ETH)</th><th>P(loss)</th><th>VaR \#(level) (% NAV)</th><th>ES \#(level) (% NAV)</th><th>ES \#(level) (ETH)</th></tr></thead><tbody>"#]
        for token in r.tokens {
            out.append(Self.row([token.id, Self.eth(token.backing), Self.eth(token.delegated), Self.eth(token.loss.mean),
                                 TextFormat.percent(token.loss.probabilityOfLoss), TextFormat.percent(token.navLossFraction.quantiles[h].loss),
                                 TextFormat.percent(token.navLossFraction.expectedShortfall[h].loss), Self.eth(token.loss.expectedShortfall[h].loss)]))
        }
        out.append("</tbody></table>")
        for (t, token) in r.tokens.enumerated() where t < base.tokens.count {
            let curves = [(base.label, base.tokens[t])] + stresses.compactMap { s in t < s.tokens.count ? (s.label, s.tokens[t]) : nil }
            out.append(figure(id: "plot-token-\(t)", svg: SVGPlot.exceedanceFigure(
                title: "Token \(token.id): loss of NAV", subtitle: subtitle, xLabel: "loss of \(token.id) x (ETH)", curves: curves,
                markers: token.loss, trials: trials), caption: "Token \(token.id): P(loss ≥ x); NAV \(TextFormat.eth(token.backing)) ETH."))
        }
        out.append("</section>")
        return out
    }

    private func portfolioSection() -> [String] {
        let r = base.report
        guard !r.portfolios.isEmpty, let h = r.headlineLevelIndex else { return [] }
        let level = TextFormat.level(r.total.quantiles[h].level)
        var out = [#"<section id="portfolios"><h2>Portfolios</h2>"#,
                   #"<table id="portfolios-table"><thead><tr><th>portfolio</th><th>value (ETH)</th><th>debt (ETH)</th><th>equity (ETH)</th><th>liquidation threshold</th><th>P(liquidation)</th><th>expected loss (ETH)</th><th>ES \#(level) (ETH)</th><th>ES \#(level) (% equity)</th></tr></thead><tbody>"#]
        for p in r.portfolios {
            let liquidation = p.liquidationLTV == nil ? "—"
                : "\(TextFormat.percent(p.probabilityOfLiquidation)) ± \(TextFormat.percent(1.96 * p.probabilityOfLiquidationStandardError))"
            out.append(Self.row([p.id, Self.eth(p.value), Self.eth(p.debt), Self.eth(p.equity), p.liquidationLTV.map { TextFormat.percent($0) } ?? "unlevered",
                                 liquidation, Self.eth(p.loss.mean), Self.eth(p.loss.expectedShortfall[h].loss),
                                 TextFormat.percent(p.equityLossFraction.expectedShortfall[h].loss)]))
        }
        out.append("</tbody></table></section>")
        return out
    }

    private func contributorSection() -> [String] {
        let r = base.report
        guard let h = r.headlineLevelIndex else { return [] }
        let es = r.total.expectedShortfall[h]
        var out = [#"<section id="contributors"><h2>Top tail contributors</h2>"#]
        guard r.contributionsComputed else {
            out.append(#"<p class="note">Not computed (the run had --no-contributions, was partial, or was merged from shards).</p></section>"#)
            return out
        }
        out.append(#"<p class="note">Each entity's share of ES \#(TextFormat.level(es.level)) = \#(Self.escape(TextFormat.eth(es.loss))) ETH (Euler allocation: the operators' shares add up to the ES, and so do the services').</p>"#)
        let operators = r.operators.sorted { $0.expectedShortfallContributions[h].loss > $1.expectedShortfallContributions[h].loss }.prefix(10)
        out.append(#"<table id="operators-table"><thead><tr><th>operator</th><th>stake (ETH)</th><th>P(fault)</th><th>P(slashed)</th><th>expected loss (ETH)</th><th>ES contribution (ETH)</th><th>share of ES</th></tr></thead><tbody>"#)
        for o in operators {
            let c = o.expectedShortfallContributions[h].loss
            out.append(Self.row([o.id, Self.eth(o.stake), TextFormat.percent(o.faultProbability), TextFormat.percent(o.probabilityOfSlash),
                                 Self.eth(o.expectedLoss), Self.eth(c), es.loss > 0 ? TextFormat.percent(c / es.loss) : "—"]))
        }
        out.append("</tbody></table>")
        let services = r.services.sorted { $0.expectedShortfallContributions[h].loss > $1.expectedShortfallContributions[h].loss }.prefix(5)
        out.append(#"<table id="services-table"><thead><tr><th>service (AVS)</th><th>slash fraction</th><th>P(incident)</th><th>expected loss (ETH)</th><th>ES contribution (ETH)</th><th>share of ES</th></tr></thead><tbody>"#)
        for s in services {
            let c = s.expectedShortfallContributions[h].loss
            out.append(Self.row([s.id, TextFormat.percent(s.slashFraction), TextFormat.percent(s.incidentProbability), Self.eth(s.expectedLoss),
                                 Self.eth(c), es.loss > 0 ? TextFormat.percent(c / es.loss) : "—"]))
        }
        out.append("</tbody></table></section>")
        return out
    }

    private func stressSection() -> [String] {
        guard !stresses.isEmpty, let h = base.report.headlineLevelIndex else { return [] }
        let level = TextFormat.level(base.report.total.quantiles[h].level)
        let b = base.report.total
        var out = [#"<section id="stresses"><h2>Stresses</h2>"#,
                   #"<p class="note">Every stress ran with the base's seed and trials (common random numbers), so the differences are mostly the stress, not noise. In brackets: the change from the base.</p>"#,
                   #"<table id="stresses-table"><thead><tr><th>scenario</th><th>description</th><th>file (SHA-256)</th><th>expected loss (ETH)</th><th>P(loss)</th><th>VaR \#(level) (ETH)</th><th>ES \#(level) (ETH)</th></tr></thead><tbody>"#]
        for run in [base] + stresses {
            let t = run.report.total
            let isBase = run.label == base.label
            func delta(_ value: Double, _ reference: Double, _ format: (Double) -> String) -> String {
                isBase ? format(value) : "\(format(value)) (\(value - reference >= 0 ? "+" : "−")\(format(abs(value - reference))))"
            }
            let file = run.file + (run.sha256.map { " (" + String($0.prefix(12)) + "…)" } ?? "")
            out.append(Self.row([run.label, run.name, file, delta(t.mean, b.mean, Self.eth),
                                 delta(t.probabilityOfLoss, b.probabilityOfLoss, TextFormat.percent),
                                 delta(t.quantiles[h].loss, b.quantiles[h].loss, Self.eth),
                                 delta(t.expectedShortfall[h].loss, b.expectedShortfall[h].loss, Self.eth)], text: [1, 2]))
        }
        out.append("</tbody></table></section>")
        return out
    }

    // MARK: Pieces

    private var trials: Int { ([base] + stresses).map(\.report.trials).max() ?? 1 }
    private var subtitle: String { "\(TextFormat.count(base.report.trials)) trials, seed \(base.report.seed)" }

    private func figure(id: String, svg: String, caption: String) -> String {
        #"<figure id="\#(id)">"# + svg + "<figcaption>\(Self.escape(caption))</figcaption></figure>"
    }

    /// A table row: the first cell heads it; the cells in `text` are words (left-aligned, wrapping), the others numbers.
    static func row(_ cells: [String], text: Set<Int> = []) -> String {
        "<tr>" + cells.enumerated().map { i, c in
            i == 0 ? "<th scope=\"row\">\(escape(c))</th>" : text.contains(i) ? "<td class=\"text\">\(escape(c))</td>" : "<td>\(escape(c))</td>"
        }.joined() + "</tr>"
    }

    static func eth(_ x: Double) -> String { TextFormat.eth(x) }

    static func interval(_ value: Double, _ standardError: Double) -> String {
        "\(TextFormat.eth(max(0, value - 1.96 * standardError))) – \(TextFormat.eth(value + 1.96 * standardError))"
    }

    static func varInterval(_ q: Report.Quantile) -> String {
        let lower = q.ci95.first.flatMap { $0 }, upper = q.ci95.count > 1 ? q.ci95[1] : nil
        return "\(lower.map(TextFormat.eth) ?? "—") – \(upper.map(TextFormat.eth) ?? "(too few trials to bound)")"
    }

    static func escape(_ text: String) -> String { SVGPlot.escape(text) }

    static let style = """
        body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}\
        h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
        .lead{color:#444}.note{color:#555;font-size:.9em}\
        dl{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;font-size:.9em}dt{color:#666}dd{margin:0;word-break:break-all}\
        table{border-collapse:collapse;margin:.8em 0;font-size:.9em;font-variant-numeric:tabular-nums}\
        th,td{border-bottom:1px solid #e3e3e3;padding:.25em .7em;text-align:right}th:first-child,td.text{text-align:left}td{white-space:nowrap}\
        td.text{white-space:normal}\
        thead th{border-bottom:2px solid #999;background:#f6f6f6}\
        figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.85em}\
        footer{margin:3em 0 1em;color:#777;font-size:.8em}
        """
}

extension HTMLReport.Run {
    /// A run's page entry from its result: the total's and each token's exceedance curves.
    public init(label: String, name: String, file: String, sha256: String?, report: Report, result: SimulationResult) {
        self.init(label: label, name: name, file: file, sha256: sha256, report: report, total: ExceedanceCurve.of(result.distribution),
                  tokens: result.tokenDistributions.map { ExceedanceCurve.of($0) })
    }
}
