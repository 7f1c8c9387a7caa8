#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writing to standard error, and whether it is a terminal.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Standard output, where reports go without --output: a write that failed (a full disk, a file-size limit, an
/// I/O error on a redirected file) must not end in exit 0 with a truncated report.
enum StandardOutput {
    /// Flushes standard output; when a write to it failed, says so in one line and exits 73.
    static func check() {
        // C's `stdout` read through its symbol (Swift 6 refuses the mutable C global itself).
        guard let symbol = dlsym(nil /* RTLD_DEFAULT on glibc */, "stdout"),
              let stream = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee else { return }
        let flushed = fflush(stream) == 0
        guard !flushed || ferror(stream) != 0 else { return }
        let cause = String(cString: strerror(errno == 0 ? EIO : errno))
        StandardError.write("error: standard output: the report could not be written (\(cause)). Fix: check the disk space and file-size limit where it is redirected, or write with --output FILE\n")
        _exit(ExitCodes.cannotCreateOutput.rawValue)
    }
}
