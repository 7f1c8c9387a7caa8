import Foundation
import Synchronization

/// One batch's filed trials (`FaultRecords`): trial k's faults are `faults[faultStart[k] ..< faultStart[k + 1]]`,
/// its incidents `incidents[incidentStart[k] ..< incidentStart[k + 1]]`, its total loss `totals[k]`. With fault
/// modes, `faultModes[j]` is the mode mask of fault j (bit k: the operator's k-th mode; empty without modes);
/// with vetoes, trial k's vetoed slashes are `vetoes[vetoStart[k] ..< vetoStart[k + 1]]`, an allocation index a ≥ 0
/// for a fault slash vetoed, −(s + 1) for service s's incident vetoed (`vetoStart` stays [0] without vetoes).
public struct FiledTrials: Sendable, Equatable {
    /// Each filed trial's total loss, so that trials below every VaR are passed over.
    public var totals: [Double] = []
    public var faultStart: [Int32] = [0]
    public var faults: [Int32] = []
    public var incidentStart: [Int32] = [0]
    public var incidents: [Int32] = []
    public var faultModes: [UInt32] = []
    public var vetoStart: [Int32] = [0]
    public var vetoes: [Int32] = []

    public init() {}

    public init(totals: [Double], faultStart: [Int32], faults: [Int32], incidentStart: [Int32], incidents: [Int32],
                faultModes: [UInt32] = [], vetoStart: [Int32] = [0], vetoes: [Int32] = []) {
        self.totals = totals
        self.faultStart = faultStart
        self.faults = faults
        self.incidentStart = incidentStart
        self.incidents = incidents
        self.faultModes = faultModes
        self.vetoStart = vetoStart
        self.vetoes = vetoes
    }

    var trials: Int { faultStart.count - 1 }
    var bytes: Int {
        8 * totals.count + 4 * (faultStart.count + faults.count + incidentStart.count + incidents.count + faultModes.count
                                + vetoStart.count + vetoes.count)
    }

    /// Whether the lists are consistent and name only operators below `operators`, services below `services`
    /// and allocations below `allocations`; `modes` and `vetoes`: whether the model has them (then every fault
    /// has its mask and every trial its veto list; without them, neither list holds anything).
    func isValid(operators: Int, services: Int, allocations: Int, modes: Bool, vetoes hasVetoes: Bool) -> Bool {
        func offsets(_ start: [Int32], _ list: [Int32], below bound: Int, from lowest: Int32 = 0) -> Bool {
            guard start.first == 0, start.last.map(Int.init) == list.count, zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }) else { return false }
            return list.allSatisfy { $0 >= lowest && Int($0) < bound }
        }
        let vetoesValid = hasVetoes
            ? vetoStart.count == faultStart.count && offsets(vetoStart, vetoes, below: allocations, from: Int32(-services))
            : vetoStart == [0] && vetoes.isEmpty
        return totals.count == trials && incidentStart.count == faultStart.count && totals.allSatisfy { $0.isFinite }
            && offsets(faultStart, faults, below: operators) && offsets(incidentStart, incidents, below: services)
            && faultModes.count == (modes ? faults.count : 0) && vetoesValid
    }
}

/// The faulting operators (with their fault modes), incident services and vetoed slashes of every trial that
/// lost something, kept during a run so that its risk contributions need no second pass over the random streams.
///
/// A worker files each batch's trials (in trial order) under the batch index; the contributions then run the
/// loss pass on the filed trials batch by batch, in batch order, which gives exactly the sums a replay gives
/// (a replay adds nothing for the trials with no fault and no incident). Memory is the lists themselves,
/// 4 bytes per fault (8 with modes), incident or veto; past `budgetBytes` the run stops filing, drops what it has, and the
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
