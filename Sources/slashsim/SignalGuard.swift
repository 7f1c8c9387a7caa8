#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// SIGINT and SIGTERM: stop at once, remove a report file that is being written, say so in one line
/// on standard error, and exit 130 (SIGINT) or 143 (SIGTERM), the shell's codes for those signals.
///
/// Reports are written to a temporary file and renamed into place (`ReportWriter`), so stopping at any
/// moment leaves either no report or a complete one, never a partial file.
enum SignalGuard {
    private static let temporaryFile = Mutex<String?>(nil)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers (once, at start-up).
    static func install() {
        for (signal, name, code) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global(qos: .userInitiated))
            source.setEventHandler {
                let removed = temporaryFile.withLock { path -> Bool in
                    guard let path else { return false }
                    return unlink(path) == 0
                }
                let detail = removed ? "the unfinished report file was removed" : "no report was written"
                let clearProgress = StandardError.isTerminal ? "\r\u{1B}[2K" : ""
                StandardError.write("\(clearProgress)slashsim: interrupted by \(name); stopped, \(detail)\n")
                _exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The temporary file to remove if a signal arrives while it exists.
    static func writing(_ path: String?) {
        temporaryFile.withLock { $0 = path }
    }
}
