import Dispatch
import Synchronization

/// Lets a caller stop a run early: at a deadline, on request (`stop()`, e.g. from a signal handler), or when a
/// parent control stops. The engine checks it before starting each batch, so a run stops within one batch per
/// worker and always keeps a whole prefix of batches: the partial result is exactly the first `trials` trials
/// of the full run.
public final class RunControl: Sendable {
    private let deadline: UInt64?
    private let requested = Atomic<Bool>(false)
    private let parent: RunControl?

    /// `maxSeconds`: stop starting batches once this much time has passed since `init`. `parent`: stop also
    /// when it stops (a checkpoint interval inside a run that a signal may stop).
    public init(maxSeconds: Double? = nil, parent: RunControl? = nil) {
        deadline = maxSeconds.map { DispatchTime.now().uptimeNanoseconds + UInt64(min(1e15, max(0, $0)) * 1e9) }
        self.parent = parent
    }

    /// Asks the workers to stop starting batches (safe from any thread).
    public func stop() { requested.store(true, ordering: .releasing) }

    /// Whether `stop()` was called on this control or a parent.
    public var stopRequested: Bool { requested.load(ordering: .acquiring) || (parent?.stopRequested ?? false) }

    /// Whether workers should stop starting new batches.
    public var shouldStop: Bool {
        if stopRequested { return true }
        if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { return true }
        return parent?.shouldStop ?? false
    }
}
