#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import SlashingCore
import Synchronization

/// SIGINT and SIGTERM. Without a checkpoint: stop at once, remove a report file that is being written, say so
/// in one line on standard error, and exit 130 (SIGINT) or 143 (SIGTERM), the shell's codes for those signals.
///
/// With `--checkpoint` (`checkpointing`): the first signal asks the run to stop after the batches in flight
/// (within about a batch per worker), which then writes its checkpoint and exits 75; a second signal stops at
/// once, keeping the last checkpoint written. Once the simulation is done and its final checkpoint written
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
        var temporaryFile: String?
    }

    private static let state = Mutex(State())
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

    private static func handle(name: String, code: Int32) {
        let (mode, first, temporary) = state.withLock { s -> (Mode, Bool, String?) in
            let first = s.received == nil
            s.received = s.received ?? name
            return (s.mode, first, s.temporaryFile)
        }
        let clearProgress = StandardError.isTerminal ? "\r\u{1B}[2K" : ""
        if case .checkpointing(let control, _) = mode, first {
            control.stop()
            StandardError.write("\(clearProgress)slashsim: \(name) received; finishing the batches in flight and writing the checkpoint (send it again to stop at once)\n")
            return
        }
        let removed = temporary.map { unlink($0) == 0 } ?? false
        let detail = removed ? "the unfinished file was removed" : "no report was written"
        switch mode {
        case .plain:
            StandardError.write("\(clearProgress)slashsim: interrupted by \(name); stopped, \(detail)\n")
            _exit(code)
        case .checkpointing(_, let path):
            StandardError.write("\(clearProgress)slashsim: interrupted again by \(name); stopped at once, \(detail); \(path) holds the last checkpoint written\n")
            _exit(code)
        case .checkpointed(let path):
            StandardError.write("\(clearProgress)slashsim: interrupted by \(name) after the simulation; \(detail); \(path) holds every trial: run the same command again to write the reports\n")
            _exit(ExitCodes.checkpointed.rawValue)
        }
    }

    /// Sets what a signal does from now on.
    static func set(_ mode: Mode) { state.withLock { $0.mode = mode } }

    /// The first signal received, if any ("SIGTERM", "SIGINT").
    static var received: String? { state.withLock { $0.received } }

    /// The temporary file to remove if a signal arrives while it exists.
    static func writing(_ path: String?) {
        state.withLock { $0.temporaryFile = path }
    }
}
