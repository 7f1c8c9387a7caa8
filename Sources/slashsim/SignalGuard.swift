#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import SlashingCore
import Foundation

/// SIGINT and SIGTERM. Without a checkpoint: stop at once, remove a report file that is being written, say so
/// in one line on standard error, and exit 130 (SIGINT) or 143 (SIGTERM), the shell's codes for those signals.
///
/// With `--checkpoint` (`checkpointing`): the first signal asks the run to stop after the batches in flight
/// (within about a batch per worker), which then writes its checkpoint and exits 75; a second signal stops at
/// once, keeping the last checkpoint written — unless it comes within a second of the first: schedulers and
/// wrapper scripts often deliver one request twice (Slurm signals every process of a job, and the batch
/// script forwards it too), and that must not cost the checkpoint. Once the simulation is done and its final checkpoint written
/// (`checkpointed`), a signal stops at once with exit 75: the checkpoint holds every trial.
///
/// Reports and checkpoints are written to a temporary file and renamed into place (`ReportWriter`), so stopping
/// at any moment leaves either no file or a complete one, never a partial file.
enum SignalGuard {
    enum Mode: Sendable {
        case plain
        case checkpointing(RunControl, path: String)
        case checkpointed(path: String)
    }

    private struct State: Sendable {
        var mode: Mode = .plain
        var received: String?
        var receivedAt: UInt64 = 0
        var temporaryFile: String?
    }

    /// The state, behind a lock. Not `Synchronization.Mutex`: with `-O` (Swift 6.3), the state read back out of
    /// `Mutex.withLock` in the signal handler had `.plain` turn into `.checkpointing` with a null control, and
    /// every SIGTERM or SIGINT of a plain release run crashed (exit 139) in `RunControl.stop`; and
    /// ThreadSanitizer does not see Mutex's futex.
    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var state = State()
    }
    private static let shared = Shared()

    private static func withState<T>(_ body: (inout State) -> T) -> T {
        shared.lock.lock()
        defer { shared.lock.unlock() }
        return body(&shared.state)
    }
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers (once, at start-up).
    static func install() {
        for (signal, name, code) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global(qos: .userInitiated))
            source.setEventHandler { handle(name: name, code: code) }
            source.resume()
            sources.append(source)
        }
    }

    /// What a signal does.
    enum Action: Equatable {
        /// Ask the run to stop after the batches in flight and write its checkpoint.
        case stopAfterBatches
        /// Nothing: the same request delivered twice.
        case ignore
        /// Stop at once with this exit code.
        case exit(Int32)
    }

    /// The action for a signal in `mode`: `first` when no signal came before, else `secondsSinceFirst`;
    /// `code` is the signal's own exit code (130, 143).
    static func action(mode: Mode, first: Bool, secondsSinceFirst: Double, code: Int32) -> Action {
        switch mode {
        case .plain: return .exit(code)
        case .checkpointed: return .exit(ExitCodes.checkpointed.rawValue)
        case .checkpointing:
            if first { return .stopAfterBatches }
            return secondsSinceFirst < 1 ? .ignore : .exit(code)
        }
    }

    private static func handle(name: String, code: Int32) {
        let now = DispatchTime.now().uptimeNanoseconds
        let (mode, first, since, temporary) = withState { s -> (Mode, Bool, Double, String?) in
            let first = s.received == nil
            if first { s.received = name; s.receivedAt = now }
            return (s.mode, first, Double(now - s.receivedAt) / 1e9, s.temporaryFile)
        }
        let clearProgress = StandardError.isTerminal ? "\r\u{1B}[2K" : ""
        let action = action(mode: mode, first: first, secondsSinceFirst: since, code: code)
        switch action {
        case .ignore:
            return
        case .stopAfterBatches:
            if case .checkpointing(let control, _) = mode { control.stop() }
            StandardError.write("\(clearProgress)slashsim: \(name) received; finishing the batches in flight and writing the checkpoint (send it again to stop at once)\n")
            return
        case .exit(let status):
            let removed = temporary.map { unlink($0) == 0 } ?? false
            let detail = removed ? "the unfinished file was removed" : "no report was written"
            switch mode {
            case .plain:
                StandardError.write("\(clearProgress)slashsim: interrupted by \(name); stopped, \(detail)\n")
            case .checkpointing(_, let path):
                StandardError.write("\(clearProgress)slashsim: interrupted again by \(name); stopped at once, \(detail); \(path) holds the last checkpoint written\n")
            case .checkpointed(let path):
                StandardError.write("\(clearProgress)slashsim: interrupted by \(name) after the simulation; \(detail); \(path) holds every trial: run the same command again to write the reports\n")
            }
            _exit(status)
        }
    }

    /// Sets what a signal does from now on.
    static func set(_ mode: Mode) { withState { $0.mode = mode } }

    /// The first signal received, if any ("SIGTERM", "SIGINT").
    static var received: String? { withState { $0.received } }

    /// The temporary file to remove if a signal arrives while it exists.
    static func writing(_ path: String?) {
        withState { $0.temporaryFile = path }
    }
}
