import Foundation
import Synchronization

/// The faulting operators and incident services of every trial that lost something, kept during a run so
/// that its risk contributions need no second pass over the random streams.
///
/// A worker files each batch's trials (in trial order) under the batch index; the contributions then run the
/// loss pass on the filed trials batch by batch, in batch order, which gives exactly the sums a replay gives
/// (a replay adds nothing for the trials with no fault and no incident). Memory is the lists themselves,
/// 4 bytes per fault or incident; past `budgetBytes` the run stops filing, drops what it has, and the
/// contributions fall back to the replay.
final class FaultRecords: @unchecked Sendable {
    /// One batch's filed trials: trial k's faults are `faults[faultStart[k] ..< faultStart[k + 1]]`, its
    /// incidents `incidents[incidentStart[k] ..< incidentStart[k + 1]]`.
    struct Batch: Sendable {
        /// Each filed trial's total loss, so that trials below every VaR are passed over.
        var totals: [Double] = []
        var faultStart: [Int32] = [0]
        var faults: [Int32] = []
        var incidentStart: [Int32] = [0]
        var incidents: [Int32] = []

        var trials: Int { faultStart.count - 1 }
        var bytes: Int { 8 * totals.count + 4 * (faultStart.count + faults.count + incidentStart.count + incidents.count) }
    }

    /// Most memory the records may take: a quarter of the memory available at the start, at most 2 GiB.
    static func defaultBudget() -> Int { Int(min(2 * 1_073_741_824, 0.25 * RunLimits.availableMemoryBytes())) }

    let budgetBytes: Int
    /// The first batch filed: a run resumed from a checkpoint files only the batches it simulates, and the
    /// contributions replay the earlier ones.
    let firstFiledBatch: Int
    private let used = Atomic<Int>(0)
    private let overBudget = Atomic<Bool>(false)
    private let lock = NSLock()
    private var filed: [Int: Batch] = [:]

    init(budgetBytes: Int, firstFiledBatch: Int = 0) {
        self.budgetBytes = budgetBytes
        self.firstFiledBatch = firstFiledBatch
    }

    /// Whether filing was abandoned (the budget was exceeded): the contributions must replay the run.
    var abandoned: Bool { overBudget.load(ordering: .acquiring) }

    /// Files batch `batch` (from one worker, once per batch).
    func file(batch: Int, _ trials: Batch) {
        guard !abandoned else { return }
        let total = used.wrappingAdd(trials.bytes, ordering: .relaxed).newValue
        guard total <= budgetBytes else {
            overBudget.store(true, ordering: .releasing)
            lock.lock()
            filed = [:]
            lock.unlock()
            return
        }
        lock.lock()
        filed[batch] = trials
        lock.unlock()
    }

    /// The filed batches in batch order (nil when abandoned).
    func batches() -> [(batch: Int, trials: Batch)]? {
        guard !abandoned else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return filed.keys.sorted().map { ($0, filed[$0]!) }
    }
}
