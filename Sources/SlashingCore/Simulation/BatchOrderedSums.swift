import Foundation

/// Sums of per-batch vectors added in batch order, whichever worker finished which batch when, so that
/// floating-point totals are the same for every thread count.
///
/// Workers hand in each batch's partial sums; the partials wait (at most a few per worker) until every earlier
/// batch has been added. (An `NSLock`, a pthread mutex, rather than `Synchronization.Mutex`: ThreadSanitizer
/// sees the former's synchronisation and not the latter's futex.)
final class BatchOrderedSums: @unchecked Sendable {
    private let lock = NSLock()
    private var totals: [Double]
    private var next = 0
    private let first: Int
    private var pending: [Int: [Double]] = [:]
    let width: Int

    /// Sums batches firstBatch, firstBatch + 1, … (a shard starts at its first batch), onto `initial`: the
    /// totals of the batches before `firstBatch` when a run resumes from a checkpoint (zeros by default).
    init(width: Int, firstBatch: Int = 0, initial: [Double]? = nil) {
        self.width = width
        next = firstBatch
        first = firstBatch
        totals = initial ?? [Double](repeating: 0, count: width)
        precondition(totals.count == width)
    }

    /// The totals of every batch deposited so far, and the next batch they wait for.
    func current() -> (totals: [Double], next: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (totals, next)
    }

    /// Adds batch `batch`'s partial sums (each batch exactly once).
    func deposit(batch: Int, _ partial: [Double]) {
        lock.lock()
        defer { lock.unlock() }
        if batch == next {
            for j in 0..<width { totals[j] += partial[j] }
            next += 1
        } else {
            // A buffer of its own: the worker goes on writing its array for its next batch once this returns, and
            // a shared buffer would hand it over only through the reference count (a race ThreadSanitizer reports).
            pending[batch] = partial.withUnsafeBufferPointer { Array($0) }
        }
        while let ready = pending.removeValue(forKey: next) {
            for j in 0..<width { totals[j] += ready[j] }
            next += 1
        }
    }

    /// The totals of the first `batches` batches (all must have been deposited).
    func totals(batches: Int) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        precondition(next - first >= batches, "batch sums missing")
        return totals
    }
}
