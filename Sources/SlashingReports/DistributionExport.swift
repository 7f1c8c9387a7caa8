import Foundation
import SlashingCore

/// Exceedance probabilities of a loss distribution, for `--distribution FILE.csv` and the plots: a grid of
/// losses (0, then log-spaced from the smallest positive loss to the largest) and the exact tail points (the
/// largest distinct simulated losses).
public struct ExceedanceCurve: Sendable {
    public struct Point: Sendable, Equatable {
        /// "grid" or "tail".
        public let kind: String
        public let loss: Double
        /// P(L > loss) and P(L ≥ loss), with the binomial standard error of the first (of the second when the
        /// first is unknown: a bounded-memory summary knows P(L ≥ x) exactly at its bin edges only).
        public let exceedance: Double?
        public let atLeast: Double
        public let standardError: Double
    }

    public let points: [Point]

    /// Grid points and the largest `tailPoints` distinct losses of a whole sample.
    public init(sample: LossSample, gridPoints: Int = 200, tailPoints: Int = 500) {
        let n = Double(sample.trials)
        points = Self.gridAndTail(ascending: sample.positiveLosses, gridPoints: gridPoints, tailPoints: tailPoints) { kind, x in
            let above = Double(sample.trials - sample.countAtMost(x))
            let atLeast = Double(sample.trials - sample.countAtMost(x.nextDown))
            let p = above / n
            return Point(kind: kind, loss: x, exceedance: p, atLeast: atLeast / n, standardError: (p * (1 - p) / n).squareRoot())
        }
    }

    /// The points at 0, on a log grid from the smallest to the largest positive loss (`ascending`), and at the
    /// largest `tailPoints` distinct losses, each made by `point(kind, loss)`.
    static func gridAndTail(ascending positive: [Double], gridPoints: Int, tailPoints: Int,
                            point: (String, Double) -> Point) -> [Point] {
        var points = [point("grid", 0)]
        if let low = positive.first, let high = positive.last, high > low {
            let a = log(low), b = log(high)
            for j in 0..<gridPoints {
                // The ends exactly at the smallest and largest losses; log-spaced between.
                let x = j == 0 ? low : (j == gridPoints - 1 ? high : exp(a + (b - a) * Double(j) / Double(gridPoints - 1)))
                points.append(point("grid", x))
            }
        } else if let only = positive.first {
            points.append(point("grid", only))
        }
        var tail: [Double] = []
        for x in positive.reversed() where tail.last != x {
            tail.append(x)
            if tail.count == tailPoints { break }
        }
        return points + tail.reversed().map { point("tail", $0) }
    }

    /// From a bounded-memory summary: exceedance at histogram bin edges (exact counts), no tail points.
    public init(bounded: BoundedLossDistribution, gridPoints: Int = 200) {
        let n = Double(bounded.trials)
        var points: [Point] = []
        func add(_ x: Double, atLeast count: Int, above: Int?) {
            let p = Double(above ?? count) / n
            points.append(Point(kind: "grid", loss: x, exceedance: above.map { Double($0) / n }, atLeast: Double(count) / n,
                                standardError: (p * (1 - p) / n).squareRoot()))
        }
        add(0, atLeast: bounded.trials, above: bounded.positives)
        let nonEmpty = bounded.binCounts.indices.filter { bounded.binCounts[$0] > 0 }
        if let first = nonEmpty.first, let last = nonEmpty.last {
            let step = max(1, (last - first) / gridPoints)
            for b in stride(from: first, through: last, by: step) {
                // P(L ≥ edge) counts every positive loss in this bin and above.
                add(BoundedLossDistribution.lowerEdge(ofBin: b), atLeast: bounded.positives - bounded.cumulativeBelow[b], above: nil)
            }
        }
        self.points = points
    }

    /// From an importance-sampled sample: the weighted exceedance Ĝ(x) = (1/n)·Σ w·1{L > x} and its standard
    /// error on the same grid, and the largest distinct losses.
    public init(weighted sample: WeightedLossSample, gridPoints: Int = 200, tailPoints: Int = 500) {
        points = Self.gridAndTail(ascending: sample.positiveLosses.map(\.loss), gridPoints: gridPoints, tailPoints: tailPoints) { kind, x in
            let above = sample.exceedance(x)
            return Point(kind: kind, loss: x, exceedance: above.probability, atLeast: sample.exceedance(x.nextDown).probability,
                         standardError: above.standardError)
        }
    }

    /// The curve of any distribution this build can produce.
    public static func of(_ distribution: any LossDistribution) -> ExceedanceCurve {
        if let sample = distribution as? LossSample { return ExceedanceCurve(sample: sample) }
        if let sample = distribution as? WeightedLossSample { return ExceedanceCurve(weighted: sample) }
        return ExceedanceCurve(bounded: distribution as! BoundedLossDistribution)
    }
}

extension ExceedanceCurve {
    /// CSV rows `scenario,scope,id,kind,loss,exceedance_probability,probability_at_least,standard_error` for
    /// `--distribution` (scenario: `base` or a stress's label; scope: total, token or portfolio).
    public static func csv(_ curves: [(scenario: String, scope: String, id: String, curve: ExceedanceCurve)]) -> String {
        var rows = ["scenario,scope,id,kind,loss,exceedance_probability,probability_at_least,standard_error"]
        for (scenario, scope, id, curve) in curves {
            for p in curve.points {
                rows.append([CSVField.escape(scenario), scope, CSVField.escape(id), p.kind, CSVField.number(p.loss), p.exceedance.map(CSVField.number) ?? "",
                             CSVField.number(p.atLeast), CSVField.number(p.standardError)].joined(separator: ","))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }
}
