import SlashingCore

extension Report {
    /// How many contributors of each kind the text report lists.
    public static let textContributorLimit = 5

    /// The level the text report's token, portfolio and contributor tables use: 99 % if reported, else the
    /// highest level below it, else the lowest.
    public var headlineLevelIndex: Int? {
        let levels = total.quantiles.map(\.level)
        guard !levels.isEmpty else { return nil }
        if let exact = levels.firstIndex(where: { abs($0 - 0.99) < 1e-12 }) { return exact }
        return levels.lastIndex(where: { $0 < 0.99 }) ?? 0
    }

    /// Tokens, portfolios, services with incidents and the top tail contributors, as text lines.
    func restakingSections() -> [String] {
        var out: [String] = []
        guard let h = headlineLevelIndex else { return out }
        let level = TextFormat.level(total.quantiles[h].level)
        if !tokens.isEmpty {
            out.append("")
            out.append("Tokens: loss in ETH and as a share of NAV (VaR and ES at \(level))")
            out.append([pad("  id", 16), lpad("NAV", 14), lpad("expected loss", 16), lpad("% NAV", 10), lpad("P(loss)", 10),
                        lpad("VaR", 14), lpad("% NAV", 10), lpad("ES", 14), lpad("% NAV", 10)].joined())
            for token in tokens {
                out.append([pad("  " + token.id, 16), lpad(TextFormat.eth(token.backing), 14), lpad(TextFormat.eth(token.loss.mean), 16),
                            lpad(TextFormat.percent(token.navLossFraction.mean), 10), lpad(TextFormat.percent(token.loss.probabilityOfLoss), 10),
                            lpad(TextFormat.eth(token.loss.quantiles[h].loss), 14), lpad(TextFormat.percent(token.navLossFraction.quantiles[h].loss), 10),
                            lpad(TextFormat.eth(token.loss.expectedShortfall[h].loss), 14),
                            lpad(TextFormat.percent(token.navLossFraction.expectedShortfall[h].loss), 10)].joined())
            }
        }
        if !portfolios.isEmpty {
            out.append("")
            out.append("Portfolios: principal loss in ETH and as a share of equity (VaR and ES at \(level))")
            out.append([pad("  id", 16), lpad("value", 12), lpad("debt", 12), lpad("P(liquidation)", 16), lpad("expected loss", 15),
                        lpad("VaR", 12), lpad("% equity", 10), lpad("ES", 12), lpad("% equity", 10)].joined())
            for p in portfolios {
                let liquidation = p.liquidationLTV == nil ? "—" : TextFormat.percent(p.probabilityOfLiquidation)
                out.append([pad("  " + p.id, 16), lpad(TextFormat.eth(p.value), 12), lpad(TextFormat.eth(p.debt), 12), lpad(liquidation, 16),
                            lpad(TextFormat.eth(p.loss.mean), 15), lpad(TextFormat.eth(p.loss.quantiles[h].loss), 12),
                            lpad(TextFormat.percent(p.equityLossFraction.quantiles[h].loss), 10), lpad(TextFormat.eth(p.loss.expectedShortfall[h].loss), 12),
                            lpad(TextFormat.percent(p.equityLossFraction.expectedShortfall[h].loss), 10)].joined())
            }
        }
        out += vetoSection()
        out += faultModeSection()
        out += exploitSections()
        let withIncidents = services.filter { $0.incidentProbability > 0 }
        if !withIncidents.isEmpty {
            out.append("")
            out.append("Service incidents (the service itself fails and slashes every operator allocated to it)")
            out.append([pad("  id", 22), lpad("P(incident)", 13), lpad("simulated", 12), lpad("slashes", 10), lpad("expected loss", 16)].joined())
            for service in withIncidents {
                out.append([pad("  " + service.id, 22), lpad(TextFormat.percent(service.incidentProbability), 13),
                            lpad(TextFormat.percent(service.simulatedIncidentProbability), 12), lpad(TextFormat.percent(service.incidentSlashFraction), 10),
                            lpad(TextFormat.eth(service.expectedLoss), 16)].joined())
            }
        }
        if contributionsComputed {
            let es = total.expectedShortfall[h].loss
            out.append("")
            out.append("Top tail contributors: share of the total's ES at \(level) (\(TextFormat.eth(es)) ETH) and of the expected loss")
            func lines(_ title: String, _ entries: [(id: String, es: Double, el: Double)]) {
                let top = entries.enumerated().sorted { a, b in a.element.es != b.element.es ? a.element.es > b.element.es : a.offset < b.offset }
                    .prefix(Self.textContributorLimit).map(\.element)
                out.append([pad("  " + title, 24), lpad("ES contribution", 17), lpad("% of ES", 10), lpad("expected loss", 16), lpad("% of EL", 10)].joined())
                for e in top {
                    out.append([pad("  " + e.id, 24), lpad(TextFormat.eth(e.es), 17), lpad(es > 0 ? TextFormat.percent(e.es / es) : "—", 10),
                                lpad(TextFormat.eth(e.el), 16), lpad(total.mean > 0 ? TextFormat.percent(e.el / total.mean) : "—", 10)].joined())
                }
            }
            lines("operator", operators.map { ($0.id, $0.expectedShortfallContributions[h].loss, $0.expectedLoss) })
            if !services.isEmpty {
                lines("service", services.map { ($0.id, $0.expectedShortfallContributions[h].loss, $0.expectedLoss) })
            }
        }
        return out
    }

    /// Services with a veto probability: the slashes they proposed, vetoed and executed (expected per horizon).
    func vetoSection() -> [String] {
        let vetoing = services.filter { ($0.veto?.probability ?? 0) > 0 }
        guard !vetoing.isEmpty else { return [] }
        var out = ["", "Vetoes (expected number over the horizon: fault slashes of operators, and incidents)"]
        out.append([pad("  service", 22), lpad("P(veto)", 10), lpad("proposed", 11), lpad("vetoed", 10), lpad("executed", 11),
                    lpad("incidents", 11), lpad("vetoed", 10), lpad("executed", 11)].joined())
        for service in vetoing {
            let v = service.veto!
            out.append([pad("  " + service.id, 22), lpad(TextFormat.percent(v.probability), 10), lpad(TextFormat.fixed(v.faultSlashes.proposed, 4), 11),
                        lpad(TextFormat.fixed(v.faultSlashes.vetoed, 4), 10), lpad(TextFormat.fixed(v.faultSlashes.executed, 4), 11),
                        lpad(TextFormat.fixed(v.incidents.proposed, 4), 11), lpad(TextFormat.fixed(v.incidents.vetoed, 4), 10),
                        lpad(TextFormat.fixed(v.incidents.executed, 4), 11)].joined())
        }
        return out
    }

    /// Operators' fault modes: each mode's probability and simulated frequency (the first 20 rows; JSON has all).
    func faultModeSection() -> [String] {
        let rows = operators.flatMap { op in (op.faultModes ?? []).map { (op.id, $0) } }
        guard !rows.isEmpty else { return [] }
        var out = ["", "Fault modes (an operator faults when any of its modes happens: P(fault) = 1 − Π (1 − q))"]
        out.append([pad("  operator", 20), pad("  mode", 22), lpad("probability", 13), lpad("simulated", 12), lpad("± s.e.", 10)].joined())
        for (id, mode) in rows.prefix(20) {
            out.append([pad("  " + id, 20), pad("  " + mode.id, 22), lpad(TextFormat.percent(mode.probability), 13),
                        lpad(TextFormat.percent(mode.simulatedProbability), 12), lpad(TextFormat.percent(mode.simulatedProbabilityStandardError), 10)].joined())
        }
        if rows.count > 20 { out.append("  (\(rows.count - 20) more in the JSON report)") }
        return out
    }

    /// With exploits in the scenario: each exploit's frequency, and every token's and portfolio's expected loss by cause.
    func exploitSections() -> [String] {
        var seen: [String] = [], events: [(exploit: Exploit, tokens: [String])] = []
        for token in tokens {
            for e in token.exploits {
                if let k = seen.firstIndex(of: e.source) { events[k].tokens.append(token.id) } else { seen.append(e.source); events.append((e, [token.id])) }
            }
        }
        guard !events.isEmpty else { return [] }
        var out = ["", "Exploits (each takes its share of the NAV a token has left after the slashing)"]
        out.append([pad("  source", 26), lpad("P(exploit)", 12), lpad("simulated", 12), lpad("NAV loss", 10), "  tokens"].joined())
        for (e, hit) in events {
            out.append([pad("  " + e.source, 26), lpad(TextFormat.percent(e.probability), 12), lpad(TextFormat.percent(e.simulatedProbability), 12),
                        lpad(TextFormat.percent(e.navLossFraction), 10), "  " + hit.joined(separator: ", ")].joined())
        }
        out.append("")
        out.append("Expected loss by cause (ETH)")
        out.append([pad("  id", 20), lpad("expected loss", 16), lpad("operator faults", 17), lpad("service incidents", 19), lpad("exploits", 14)].joined())
        let rows = tokens.map { ($0.id, $0.loss.mean, $0.expectedLossByCause) } + portfolios.map { ($0.id, $0.loss.mean, $0.expectedLossByCause) }
        for (id, mean, cause) in rows {
            out.append([pad("  " + id, 20), lpad(TextFormat.eth(mean), 16), lpad(TextFormat.eth(cause.operatorFaults), 17),
                        lpad(TextFormat.eth(cause.serviceIncidents), 19), lpad(TextFormat.eth(cause.exploits), 14)].joined())
        }
        return out
    }
}
