import Synchronization

/// Sums of per-batch vectors added in batch order, whichever worker finished which batch when, so that
/// floating-point totals are the same for every thread count.
///
/// Workers hand in each batch's partial sums; the partials wait (at most a few per worker) until every earlier
/// batch has been added.
final class BatchOrderedSums: Sendable {
    private struct State {
        var totals: [Double]
        var next = 0
        var pending: [Int: [Double]] = [:]
    }
    private let state: Mutex<State>
    let width: Int

    init(width: Int) {
        self.width = width
        state = Mutex(State(totals: [Double](repeating: 0, count: width)))
    }

    /// Adds batch `batch`'s partial sums (each batch exactly once).
    func deposit(batch: Int, _ partial: [Double]) {
        state.withLock { s in
            s.pending[batch] = partial
            while let ready = s.pending.removeValue(forKey: s.next) {
                for j in 0..<width { s.totals[j] += ready[j] }
                s.next += 1
            }
        }
    }

    /// The totals of batches 0 ..< `batches` (all must have been deposited).
    func totals(batches: Int) -> [Double] {
        state.withLock { s in
            precondition(s.next >= batches, "batch sums missing")
            return s.totals
        }
    }
}
