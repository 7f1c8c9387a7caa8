import Foundation
import Synchronization

/// One batch's filed trials (`FaultRecords`): trial k's faults are `faults[faultStart[k] ..< faultStart[k + 1]]`,
/// its incidents `incidents[incidentStart[k] ..< incidentStart[k + 1]]`, its total loss `totals[k]`.
public struct FiledTrials: Sendable, Equatable {
    /// Each filed trial's total loss, so that trials below every VaR are passed over.
    public var totals: [Double] = []
    public var faultStart: [Int32] = [0]
    public var faults: [Int32] = []
    public var incidentStart: [Int32] = [0]
    public var incidents: [Int32] = []

    public init() {}

    public init(totals: [Double], faultStart: [Int32], faults: [Int32], incidentStart: [Int32], incidents: [Int32]) {
        self.totals = totals
        self.faultStart = faultStart
        self.faults = faults
        self.incidentStart = incidentStart
        self.incidents = incidents
    }

    var trials: Int { faultStart.count - 1 }
    var bytes: Int { 8 * totals.count + 4 * (faultStart.count + faults.count + incidentStart.count + incidents.count) }

    /// Whether the lists are consistent and name only operators below `operators` and services below `services`.
    func isValid(operators: Int, services: Int) -> Bool {
        func offsets(_ start: [Int32], _ list: [Int32], below bound: Int) -> Bool {
            guard start.first == 0, start.last.map(Int.init) == list.count, zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }) else { return false }
            return list.allSatisfy { $0 >= 0 && Int($0) < bound }
        }
        return totals.count == trials && incidentStart.count == faultStart.count && totals.allSatisfy { $0.isFinite }
            && offsets(faultStart, faults, below: operators) && offsets(incidentStart, incidents, below: services)
    }
}

/// The faulting operators and incident services of every trial that lost something, kept during a run so
/// that its risk contributions need no second pass over the random streams.
///
/// A worker files each batch's trials (in trial order) under the batch index; the contributions then run the
/// loss pass on the filed trials batch by batch, in batch order, which gives exactly the sums a replay gives
/// (a replay adds nothing for the trials with no fault and no incident). Memory is the lists themselves,
/// 4 bytes per fault or incident; past `budgetBytes` the run stops filing, drops what it has, and the
/// contributions fall back to the replay.
final class FaultRecords: @unchecked Sendable {
    typealias Batch = FiledTrials

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

    /// `restored`: the batches a checkpoint kept (from `firstFiledBatch` on), counted against the budget.
    init(budgetBytes: Int, firstFiledBatch: Int = 0, restored: [(batch: Int, trials: Batch)] = []) {
        self.budgetBytes = budgetBytes
        self.firstFiledBatch = firstFiledBatch
        for (batch, trials) in restored { file(batch: batch, trials) }
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
