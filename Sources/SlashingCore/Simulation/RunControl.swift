import Dispatch

/// Lets a caller stop a run early, at a deadline. The engine checks it
/// before starting each batch, so a run stops within one batch per worker and always keeps a whole
/// prefix of batches: the partial result is exactly the first `trials` trials of the full run.
public final class RunControl: Sendable {
    private let deadline: UInt64?

    /// `maxSeconds`: stop starting batches once this much time has passed since `init`.
    public init(maxSeconds: Double? = nil) {
        deadline = maxSeconds.map { DispatchTime.now().uptimeNanoseconds + UInt64(max(0, $0) * 1e9) }
    }

    /// Whether workers should stop starting new batches.
    public var shouldStop: Bool {
        if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { return true }
        return false
    }
}
